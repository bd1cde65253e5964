import Testing

@testable import JumpEngine

@Suite("Kernels: pointwise convolution on 1 x 1 planes as one GEMM")
struct ConvolutionFullyConnectedTests {
  @Test("matches the naive convolution, with and without bias", arguments: [1, 5])
  func matchesReference(batch: Int) {
    let g = ConvolutionReference.geometry(
      batch: batch, inChannels: 7, outChannels: 12, size: (1, 1), kernel: 1)
    #expect(Kernels.isFullyConnected(g))
    #expect(Kernels.conv2dScratchCount(g, threads: 2) == 0)
    let input = ConvolutionReference.values(batch * 7, seed: 4)
    let weight = ConvolutionReference.values(12 * 7, seed: 5)
    let bias = ConvolutionReference.values(12, seed: 6)
    for withBias in [false, true] {
      let expected = ConvolutionReference.convolve(
        g, input: input, weight: weight, bias: withBias ? bias : nil, activation: .relu)
      let actual = ConvolutionReference.fastConvolve(
        g, input: input, weight: weight, bias: withBias ? bias : nil, activation: .relu, threads: 1)
      #expect(ConvolutionReference.relativeError(actual, expected) < 1e-5, "bias \(withBias)")
    }
  }

  @Test("a padded or larger-plane pointwise convolution is not fully connected")
  func otherGeometries() {
    #expect(
      !Kernels.isFullyConnected(
        ConvolutionReference.geometry(batch: 2, inChannels: 3, outChannels: 4, size: (2, 2), kernel: 1)))
    #expect(
      !Kernels.isFullyConnected(
        ConvolutionReference.geometry(
          batch: 2, inChannels: 3, outChannels: 4, size: (1, 1), kernel: 1, pad: 1)))
  }
}
