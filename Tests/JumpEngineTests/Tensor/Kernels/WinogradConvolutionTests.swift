import Testing

@testable import JumpEngine

@Suite("Kernels: Winograd F(2x2, 3x3) convolution")
struct WinogradConvolutionTests {
  /// Dense 3 x 3 stride-1 geometries: even and odd output sizes (tiles past the edge), no padding, padding 1
  /// and 2, several samples per chunk and chunks of one sample.
  static let cases: [(String, ConvGeometry)] = [
    (
      "8x8, pad 1, 3 samples",
      ConvolutionReference.geometry(
        batch: 3, inChannels: 32, outChannels: 40, size: (8, 8), kernel: 3, pad: 1)
    ),
    (
      "odd 7x5 output, no padding",
      ConvolutionReference.geometry(batch: 2, inChannels: 33, outChannels: 32, size: (9, 7), kernel: 3)
    ),
    (
      "odd 9x11 output: vector and scalar tiles",
      ConvolutionReference.geometry(batch: 2, inChannels: 32, outChannels: 32, size: (11, 13), kernel: 3)
    ),
    (
      "pad 2, odd input",
      ConvolutionReference.geometry(
        batch: 1, inChannels: 32, outChannels: 36, size: (5, 6), kernel: 3, pad: 2)
    ),
    (
      "one sample per chunk (34x34 output)",
      ConvolutionReference.geometry(
        batch: 3, inChannels: 32, outChannels: 32, size: (34, 34), kernel: 3, pad: 1)
    ),
  ]

  @Test("takes the Winograd path and matches the naive convolution", arguments: [1, 2])
  func matchesReference(threads: Int) throws {
    for (name, g) in Self.cases {
      #expect(Kernels.usesWinograd(g), "\(name)")
      let input = ConvolutionReference.values(g.batch * g.inChannels * g.inPlane, seed: 4)
      let weight = ConvolutionReference.values(g.outChannels * g.inChannels * 9, seed: 5)
      let bias = ConvolutionReference.values(g.outChannels, seed: 6)
      for activation in [Activation.none, .relu] {
        let expected = ConvolutionReference.convolve(
          g, input: input, weight: weight, bias: bias, activation: activation)
        let actual = ConvolutionReference.fastConvolve(
          g, input: input, weight: weight, bias: bias, activation: activation, threads: threads)
        #expect(ConvolutionReference.relativeError(actual, expected) < 1e-5, "\(name), \(activation)")
      }
    }
  }

  @Test("gives the same bits for any thread count, over chunks and within one chunk")
  func deterministic() {
    // Three samples of 8 x 8 share one chunk; 34 x 34 samples take one chunk each.
    for g in [Self.cases[0].1, Self.cases[4].1] {
      let input = ConvolutionReference.values(g.batch * g.inChannels * g.inPlane, seed: 7)
      let weight = ConvolutionReference.values(g.outChannels * g.inChannels * 9, seed: 8)
      let single = ConvolutionReference.fastConvolve(
        g, input: input, weight: weight, bias: nil, activation: .none, threads: 1)
      #expect(
        ConvolutionReference.fastConvolve(
          g, input: input, weight: weight, bias: nil, activation: .none, threads: 2) == single)
      #expect(
        ConvolutionReference.fastConvolve(
          g, input: input, weight: weight, bias: nil, activation: .none, threads: 2) == single)
    }
  }

  /// The executor transforms constant filters once; the result must not depend on where that happens.
  @Test("filters transformed beforehand give the same bits as on every call", arguments: [1, 2])
  func transformedBeforehand(threads: Int) {
    for (name, g) in Self.cases {
      let input = ConvolutionReference.values(g.batch * g.inChannels * g.inPlane, seed: 9)
      let weight = ConvolutionReference.values(g.outChannels * g.inChannels * 9, seed: 10)
      let bias = ConvolutionReference.values(g.outChannels, seed: 11)
      let onTheFly = ConvolutionReference.fastConvolve(
        g, input: input, weight: weight, bias: bias, activation: .relu, threads: threads)
      var filters = [Float](repeating: .nan, count: Kernels.winogradFilterCount(g))
      var scratch = [Float](repeating: .nan, count: Kernels.conv2dScratchCount(g, threads: threads))
      var output = [Float](repeating: .nan, count: onTheFly.count)
      weight.withUnsafeBufferPointer { w in
        filters.withUnsafeMutableBufferPointer { Kernels.winogradFilters(g, w.baseAddress!, $0.baseAddress!) }
        input.withUnsafeBufferPointer { x in
          bias.withUnsafeBufferPointer { b in
            filters.withUnsafeBufferPointer { f in
              scratch.withUnsafeMutableBufferPointer { s in
                output.withUnsafeMutableBufferPointer { y in
                  Kernels.conv2d(
                    g, input: x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                    output: y.baseAddress!, activation: .relu, scratch: s.baseAddress!, threads: threads,
                    winogradFilters: f.baseAddress!)
                }
              }
            }
          }
        }
      }
      #expect(output.map(\.bitPattern) == onTheFly.map(\.bitPattern), "\(name)")
    }
  }

  @Test("other geometries keep im2col")
  func otherGeometries() {
    let strided = ConvolutionReference.geometry(
      batch: 1, inChannels: 32, outChannels: 32, size: (8, 8), kernel: 3, stride: 2, pad: 1)
    let dilated = ConvolutionReference.geometry(
      batch: 1, inChannels: 32, outChannels: 32, size: (8, 8), kernel: 3, pad: 2, dilation: 2)
    let narrow = ConvolutionReference.geometry(
      batch: 1, inChannels: 3, outChannels: 32, size: (8, 8), kernel: 3)
    let grouped = ConvolutionReference.geometry(
      batch: 1, inChannels: 64, outChannels: 64, size: (8, 8), kernel: 3, pad: 1, group: 2)
    let tiny = ConvolutionReference.geometry(
      batch: 1, inChannels: 32, outChannels: 32, size: (3, 3), kernel: 3)
    for g in [strided, dilated, narrow, grouped, tiny] { #expect(!Kernels.usesWinograd(g)) }
  }
}
