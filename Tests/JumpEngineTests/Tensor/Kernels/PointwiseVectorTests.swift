import Testing

@testable import JumpEngine

@Suite("Kernels: pointwise convolution on the AVX-512 in-place product")
struct PointwiseVectorTests {
  /// 1 x 1 convolutions whose planes are whole vectors: DS-CNN's 4 x 4, 8 x 8 and 16 x 16 planes, channel
  /// counts that leave partial tiles of rows (not multiples of 6) and of column vectors (batch x vectors not
  /// a multiple of 4), a single sample, and groups.
  static let cases: [(String, ConvGeometry)] = [
    ("4x4", ConvolutionReference.geometry(batch: 5, inChannels: 6, outChannels: 7, size: (4, 4), kernel: 1)),
    ("8x8", ConvolutionReference.geometry(batch: 3, inChannels: 9, outChannels: 13, size: (8, 8), kernel: 1)),
    (
      "16x16",
      ConvolutionReference.geometry(batch: 2, inChannels: 4, outChannels: 12, size: (16, 16), kernel: 1)
    ),
    ("4x8", ConvolutionReference.geometry(batch: 7, inChannels: 17, outChannels: 5, size: (4, 8), kernel: 1)),
    (
      "one sample",
      ConvolutionReference.geometry(batch: 1, inChannels: 3, outChannels: 1, size: (4, 4), kernel: 1)
    ),
    (
      "3 groups",
      ConvolutionReference.geometry(
        batch: 3, inChannels: 6, outChannels: 9, size: (4, 4), kernel: 1, group: 3)
    ),
  ]

  @Test("takes pointwise convolutions on whole vectors only")
  func selection() {
    guard Kernels.vectorWidth >= 16 else { return }
    for (name, g) in Self.cases { #expect(Kernels.usesPointwiseVector(g), "\(name)") }
    let notWhole = ConvolutionReference.geometry(
      batch: 2, inChannels: 3, outChannels: 4, size: (5, 5), kernel: 1)
    let spatial = ConvolutionReference.geometry(
      batch: 2, inChannels: 4, outChannels: 4, size: (4, 4), kernel: 3, pad: 1)
    #expect(!Kernels.usesPointwiseVector(notWhole))
    #expect(!Kernels.usesPointwiseVector(spatial))
  }

  @Test("matches the naive convolution, with and without bias, every activation", arguments: [1, 2])
  func matchesReference(threads: Int) {
    ConvolutionReference.expectMatchesNaive(Self.cases, threads: threads, seed: 4)
  }

  @Test("gives the same bits on one thread and on two")
  func deterministicAcrossThreads() {
    let g = ConvolutionReference.geometry(batch: 9, inChannels: 32, outChannels: 40, size: (4, 4), kernel: 1)
    let input = ConvolutionReference.values(g.batch * g.inChannels * g.inPlane, seed: 1)
    let weight = ConvolutionReference.values(g.outChannels * g.columnRows, seed: 2)
    let bias = ConvolutionReference.values(g.outChannels, seed: 3)
    let one = ConvolutionReference.fastConvolve(
      g, input: input, weight: weight, bias: bias, activation: .relu, threads: 1)
    let two = ConvolutionReference.fastConvolve(
      g, input: input, weight: weight, bias: bias, activation: .relu, threads: 2)
    #expect(one.map(\.bitPattern) == two.map(\.bitPattern))
  }

  @Test("fused hard swish rounds as the Swift activation applied after the product")
  func hardSwishRounding() {
    let g = ConvolutionReference.geometry(batch: 3, inChannels: 8, outChannels: 10, size: (4, 4), kernel: 1)
    let input = ConvolutionReference.values(g.batch * g.inChannels * g.inPlane, seed: 1).map { $0 * 8 }
    let weight = ConvolutionReference.values(g.outChannels * g.columnRows, seed: 2)
    let bias = ConvolutionReference.values(g.outChannels, seed: 3)
    var linear = ConvolutionReference.fastConvolve(
      g, input: input, weight: weight, bias: bias, activation: .none, threads: 1)
    let fused = ConvolutionReference.fastConvolve(
      g, input: input, weight: weight, bias: bias, activation: .hardSwish, threads: 1)
    linear.withUnsafeMutableBufferPointer { Activation.hardSwish.applyInPlace($0.baseAddress!, $0.count) }
    #expect(fused.map(\.bitPattern) == linear.map(\.bitPattern))
  }
}
