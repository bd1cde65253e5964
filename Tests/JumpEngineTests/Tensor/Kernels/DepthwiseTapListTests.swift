import Testing

@testable import JumpEngine

@Suite("Kernels: depthwise convolution over tiny planes (tap list)")
struct DepthwiseTapListTests {
  /// Geometries whose output rows are narrower than four: 1 x 1 and 2 x 2 planes under 5 x 5 and 3 x 3
  /// kernels, strides, dilation, a channel multiplier and a 1-D row.
  static let cases: [(String, ConvGeometry)] = [
    (
      "5x5 on 1x1",
      ConvolutionReference.geometry(
        batch: 3, inChannels: 8, outChannels: 8, size: (1, 1), kernel: 5, pad: 2, group: 8)
    ),
    (
      "5x5 on 2x2",
      ConvolutionReference.geometry(
        batch: 2, inChannels: 6, outChannels: 6, size: (2, 2), kernel: 5, pad: 2, group: 6)
    ),
    (
      "5x5 stride 2, 4x4 -> 2x2",
      ConvolutionReference.geometry(
        batch: 2, inChannels: 5, outChannels: 5, size: (4, 4), kernel: 5, stride: 2, pad: 2, group: 5)
    ),
    (
      "3x3 dilated, 3x3 plane",
      ConvolutionReference.geometry(
        batch: 1, inChannels: 4, outChannels: 4, size: (3, 3), kernel: 3, pad: 2, dilation: 2, group: 4)
    ),
    (
      "multiplier 2",
      ConvolutionReference.geometry(
        batch: 2, inChannels: 3, outChannels: 6, size: (2, 3), kernel: 3, pad: 1, group: 3)
    ),
    (
      "tall and narrow",
      ConvolutionReference.geometry(
        batch: 1, inChannels: 2, outChannels: 2, size: (9, 2), kernel: 3, pad: 1, group: 2)
    ),
  ]

  @Test("takes the tap list and matches the naive convolution", arguments: [1, 2])
  func matchesReference(threads: Int) throws {
    for (name, g) in Self.cases {
      #expect(Kernels.usesDepthwiseTapList(g), "\(name)")
      let input = ConvolutionReference.values(g.batch * g.inChannels * g.inPlane, seed: 1)
      let weight = ConvolutionReference.values(g.outChannels * g.kernelHeight * g.kernelWidth, seed: 2)
      let bias = ConvolutionReference.values(g.outChannels, seed: 3)
      for activation in [Activation.none, .hardSwish] {
        let expected = ConvolutionReference.convolve(
          g, input: input, weight: weight, bias: bias, activation: activation)
        var actual = [Float](repeating: .nan, count: expected.count)
        var scratch = [Float](repeating: 0, count: Kernels.depthwiseScratchCount(g, threads: threads))
        input.withUnsafeBufferPointer { x in
          weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
              actual.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { s in
                  Kernels.depthwiseConv2d(
                    g, input: x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                    output: y.baseAddress!, activation: activation, scratch: s.baseAddress!, threads: threads)
                }
              }
            }
          }
        }
        #expect(ConvolutionReference.relativeError(actual, expected) < 1e-5, "\(name), \(activation)")
      }
    }
  }

  @Test("wider rows keep the padded-plane kernel")
  func widerRowsArePadded() {
    let g = ConvolutionReference.geometry(
      batch: 1, inChannels: 4, outChannels: 4, size: (4, 4), kernel: 3, pad: 1, group: 4)
    #expect(!Kernels.usesDepthwiseTapList(g))
  }
}
