import Testing

@testable import JumpEngine

@Suite("Kernels: convolutions on small planes batched into one GEMM, and per sample")
struct ConvolutionBatchedTests {
  /// Pointwise and 3 x 3 convolutions on planes under 64 outputs (batched; on AVX-512 whole-vector
  /// pointwise planes run on the in-place product, 5 x 5 is not whole vectors and keeps the copies) and on
  /// an 8 x 8 plane (per sample); and stride-2 3 x 3 convolutions.
  static let cases: [(String, ConvGeometry)] = [
    (
      "pointwise 4x4",
      ConvolutionReference.geometry(batch: 5, inChannels: 6, outChannels: 7, size: (4, 4), kernel: 1)
    ),
    (
      "pointwise 5x5",
      ConvolutionReference.geometry(batch: 3, inChannels: 4, outChannels: 9, size: (5, 5), kernel: 1)
    ),
    (
      "3x3 on 4x4",
      ConvolutionReference.geometry(batch: 3, inChannels: 3, outChannels: 5, size: (4, 4), kernel: 3, pad: 1)
    ),
    (
      "pointwise 4x4, 2 groups",
      ConvolutionReference.geometry(
        batch: 3, inChannels: 4, outChannels: 6, size: (4, 4), kernel: 1, group: 2)
    ),
    (
      "pointwise 8x8",
      ConvolutionReference.geometry(batch: 2, inChannels: 5, outChannels: 6, size: (8, 8), kernel: 1)
    ),
    (
      "3x3 stride 2 on 9x9",
      ConvolutionReference.geometry(
        batch: 2, inChannels: 3, outChannels: 4, size: (9, 9), kernel: 3, stride: 2, pad: 1)
    ),
    (
      "3x3 stride 2 on 40x37",
      ConvolutionReference.geometry(
        batch: 2, inChannels: 2, outChannels: 3, size: (40, 37), kernel: 3, stride: 2, pad: 1)
    ),
  ]

  @Test("matches the naive convolution, with and without bias", arguments: [1, 2])
  func matchesReference(threads: Int) {
    for (name, g) in Self.cases {
      #expect(Kernels.batchesSamples(g) == (g.outPlane < 64), "\(name)")
    }
    ConvolutionReference.expectMatchesNaive(Self.cases, threads: threads, seed: 7)
  }

}
