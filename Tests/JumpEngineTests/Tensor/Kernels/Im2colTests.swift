import Testing

@testable import JumpEngine

@Suite("Kernels: im2col")
struct Im2colTests {
  /// Strides 1 and 2 (the AVX-512 kernel's), stride 3 (the Swift walk), rows wider than one vector,
  /// rows narrower than one load's span (16 floats at stride 1, 32 at stride 2: masked loads), padding on
  /// every side, dilation, and unequal strides.
  static let cases: [(String, ConvGeometry)] = [
    (
      "3x3 stride 1 on 7x9 (narrow)",
      ConvolutionReference.geometry(batch: 1, inChannels: 2, outChannels: 1, size: (7, 9), kernel: 3, pad: 1)
    ),
    (
      "3x3 stride 2 on 9x21 (narrow)",
      ConvolutionReference.geometry(
        batch: 1, inChannels: 2, outChannels: 1, size: (9, 21), kernel: 3, stride: 2, pad: 1)
    ),
    (
      "3x3 stride 2 on 32x32",
      ConvolutionReference.geometry(
        batch: 1, inChannels: 3, outChannels: 1, size: (32, 32), kernel: 3, stride: 2, pad: 1)
    ),
    (
      "3x3 stride 1 on 7x19",
      ConvolutionReference.geometry(
        batch: 1, inChannels: 2, outChannels: 1, size: (7, 19), kernel: 3, pad: 1)
    ),
    (
      "5x5 stride 2 on 41x37, pad 2",
      ConvolutionReference.geometry(
        batch: 1, inChannels: 2, outChannels: 1, size: (41, 37), kernel: 5, stride: 2, pad: 2)
    ),
    (
      "3x3 stride 1, dilation 2",
      ConvolutionReference.geometry(
        batch: 1, inChannels: 2, outChannels: 1, size: (9, 20), kernel: 3, pad: 2, dilation: 2)
    ),
    (
      "3x3 stride 3",
      ConvolutionReference.geometry(
        batch: 1, inChannels: 2, outChannels: 1, size: (10, 10), kernel: 3, stride: 3, pad: 1)
    ),
    (
      "2x1 stride 1x2",
      ConvGeometry(
        input: [1, 2, 6, 35], outChannels: 1, output: [1, 1, 5, 18], kernel: [2, 1], strides: [1, 2],
        pads: [0, 1, 0, 0], dilations: [1, 1], group: 1)!
    ),
    (
      "1x1 stride 2, pad 3",
      ConvolutionReference.geometry(
        batch: 1, inChannels: 1, outChannels: 1, size: (5, 5), kernel: 1, stride: 2, pad: 3)
    ),
  ]

  /// Every cell of the im2col matrix by definition: `visit(row, column, source)` for row `(c, ky, kx)`,
  /// column `(oy, ox)` and the index of the input cell it reads (nil where it falls in the padding).
  static func forEachCell(_ g: ConvGeometry, _ visit: (Int, Int, Int?) -> Void) {
    for c in 0..<g.inPerGroup {
      for ky in 0..<g.kernelHeight {
        for kx in 0..<g.kernelWidth {
          let row = (c * g.kernelHeight + ky) * g.kernelWidth + kx
          for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
              let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
              let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
              let inside = iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth
              visit(row, oy * g.outWidth + ox, inside ? (c * g.inHeight + iy) * g.inWidth + ix : nil)
            }
          }
        }
      }
    }
  }

  /// The im2col matrix by definition (padding cells 0), rows `rowStride` apart, gaps left at -7.
  static func reference(_ g: ConvGeometry, _ input: [Float], rowStride: Int) -> [Float] {
    var columns = [Float](repeating: -7, count: g.columnRows * rowStride)
    forEachCell(g) { row, column, source in columns[row * rowStride + column] = source.map { input[$0] } ?? 0
    }
    return columns
  }

  @Test("matches the definition, leaving the gaps between rows alone", arguments: [0, 5])
  func matchesDefinition(gap: Int) {
    for (name, g) in Self.cases {
      let input = ConvolutionReference.values(g.inChannels * g.inPlane, seed: 11)
      let rowStride = g.outPlane + gap
      var columns = [Float](repeating: -7, count: g.columnRows * rowStride)
      input.withUnsafeBufferPointer { x in
        columns.withUnsafeMutableBufferPointer { c in
          Kernels.im2col(g, input: x.baseAddress!, columns: c.baseAddress!, rowStride: rowStride)
        }
      }
      #expect(columns == Self.reference(g, input, rowStride: rowStride), "\(name)")
    }
  }
}
