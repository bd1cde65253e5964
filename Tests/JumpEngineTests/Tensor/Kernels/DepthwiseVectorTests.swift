import Testing

@testable import JumpEngine

@Suite("Kernels: 3 x 3 and 5 x 5 depthwise convolution on the AVX-512 kernel")
struct DepthwiseVectorTests {
  /// "Same"-padded 3 x 3 geometries the vector kernel takes: the planes of DS-CNN and MobileNet (16 x 16,
  /// 8 x 8, 4 x 4), planes that are not whole vectors, odd sizes under stride 2, a channel multiplier and
  /// TensorFlow-style padding (nothing before, one after).
  static let cases: [(String, ConvGeometry)] =
    [
      ("16x16", geometry(batch: 3, channels: 5, size: (16, 16))),
      ("8x8", geometry(batch: 4, channels: 6, size: (8, 8))),
      ("4x4", geometry(batch: 5, channels: 7, size: (4, 4))),
      ("7x9", geometry(batch: 2, channels: 3, size: (7, 9))),
      ("1x5", geometry(batch: 2, channels: 3, size: (1, 5))),
      ("16x16 stride 2", geometry(batch: 3, channels: 4, size: (16, 16), stride: 2)),
      ("8x8 stride 2", geometry(batch: 3, channels: 5, size: (8, 8), stride: 2)),
      ("7x9 stride 2", geometry(batch: 2, channels: 3, size: (7, 9), stride: 2)),
      ("40x40 stride 2", geometry(batch: 1, channels: 2, size: (40, 40), stride: 2)),
      (
        "multiplier 2",
        ConvolutionReference.geometry(
          batch: 2, inChannels: 3, outChannels: 6, size: (6, 6), kernel: 3, pad: 1, group: 3)
      ),
      (
        "pads 0 before, 1 after, stride 2",
        ConvGeometry(
          input: [2, 4, 8, 8], outChannels: 4, output: [2, 4, 4, 4], kernel: [3, 3], strides: [2, 2],
          pads: [0, 0, 1, 1], dilations: [1, 1], group: 4)!
      ),
    ] + fiveByFiveCases

  /// "Same"-padded 5 x 5 geometries: MobileNetV3-Small's at 96 x 96 input (12 x 12 to 6 x 6 with stride
  /// 2, 6 x 6, 6 x 6 to 3 x 3, 3 x 3), planes smaller than the kernel (2 x 2, 1 x 4, where most taps fall
  /// in the padding), planes over one vector, odd sizes under stride 2, a multiplier and uneven pads.
  static let fiveByFiveCases: [(String, ConvGeometry)] = [
    ("5x5 12x12 stride 2", geometry(batch: 3, channels: 5, size: (12, 12), kernel: 5, stride: 2)),
    ("5x5 6x6", geometry(batch: 4, channels: 6, size: (6, 6), kernel: 5)),
    ("5x5 6x6 stride 2", geometry(batch: 3, channels: 4, size: (6, 6), kernel: 5, stride: 2)),
    ("5x5 3x3", geometry(batch: 5, channels: 7, size: (3, 3), kernel: 5)),
    ("5x5 2x2", geometry(batch: 3, channels: 4, size: (2, 2), kernel: 5)),
    ("5x5 1x4", geometry(batch: 2, channels: 3, size: (1, 4), kernel: 5)),
    ("5x5 14x14", geometry(batch: 2, channels: 3, size: (14, 14), kernel: 5)),
    ("5x5 7x9 stride 2", geometry(batch: 2, channels: 3, size: (7, 9), kernel: 5, stride: 2)),
    ("5x5 40x40 stride 2", geometry(batch: 1, channels: 2, size: (40, 40), kernel: 5, stride: 2)),
    (
      "5x5 multiplier 2",
      ConvolutionReference.geometry(
        batch: 2, inChannels: 3, outChannels: 6, size: (6, 6), kernel: 5, pad: 2, group: 3)
    ),
    (
      "5x5 pads 1 before, 2 after, stride 2",
      ConvGeometry(
        input: [2, 4, 12, 12], outChannels: 4, output: [2, 4, 6, 6], kernel: [5, 5], strides: [2, 2],
        pads: [1, 1, 2, 2], dilations: [1, 1], group: 4)!
    ),
  ]

  static func geometry(
    batch: Int, channels: Int, size: (Int, Int), kernel: Int = 3, stride: Int = 1
  ) -> ConvGeometry {
    ConvolutionReference.geometry(
      batch: batch, inChannels: channels, outChannels: channels, size: size, kernel: kernel, stride: stride,
      pad: kernel / 2, group: channels)
  }

  /// Runs `depthwiseVector` and returns whether it ran and what it wrote.
  static func run(_ g: ConvGeometry, activation: Activation, threads: Int) -> (ran: Bool, output: [Float]) {
    let input = ConvolutionReference.values(g.batch * g.inChannels * g.inPlane, seed: 1)
    let weight = ConvolutionReference.values(g.outChannels * g.kernelHeight * g.kernelWidth, seed: 2)
    let bias = ConvolutionReference.values(g.outChannels, seed: 3)
    var output = [Float](repeating: .nan, count: g.batch * g.outChannels * g.outPlane)
    var scratch = [Float](
      repeating: 0, count: max(1, Kernels.depthwiseVectorScratchCount(g, threads: threads)))
    var ran = false
    input.withUnsafeBufferPointer { x in
      weight.withUnsafeBufferPointer { w in
        bias.withUnsafeBufferPointer { b in
          output.withUnsafeMutableBufferPointer { y in
            scratch.withUnsafeMutableBufferPointer { s in
              ran = Kernels.depthwiseVector(
                g, input: x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                output: y.baseAddress!,
                activation: activation, scratch: s.baseAddress!, threads: threads)
            }
          }
        }
      }
    }
    return (ran, output)
  }

  @Test("matches the naive convolution", arguments: [1, 2])
  func matchesReference(threads: Int) throws {
    for (name, g) in Self.cases {
      let input = ConvolutionReference.values(g.batch * g.inChannels * g.inPlane, seed: 1)
      let weight = ConvolutionReference.values(g.outChannels * g.kernelHeight * g.kernelWidth, seed: 2)
      let bias = ConvolutionReference.values(g.outChannels, seed: 3)
      for activation in [Activation.none, .relu, .clip(low: -0.25, high: 0.5), .hardSwish] {
        let (ran, actual) = Self.run(g, activation: activation, threads: threads)
        #expect(ran == (Kernels.vectorWidth >= 16), "\(name)")
        guard ran else { continue }
        let expected = ConvolutionReference.convolve(
          g, input: input, weight: weight, bias: bias, activation: activation)
        #expect(ConvolutionReference.relativeError(actual, expected) < 1e-5, "\(name), \(activation)")
      }
    }
  }

  @Test("gives the same bits on 1 and 2 threads")
  func deterministicAcrossThreads() {
    for (name, g) in Self.cases {
      let one = Self.run(g, activation: .hardSwish, threads: 1)
      let two = Self.run(g, activation: .hardSwish, threads: 2)
      #expect(one.output.map(\.bitPattern) == two.output.map(\.bitPattern), "\(name)")
    }
  }

  /// The fused activations round as Swift's `Activation.apply` does, so fusing them changes no bits.
  @Test("fused activations give the bits of the Swift pass after the kernel")
  func fusedActivationsMatchSwift() {
    for (name, g) in Self.cases {
      let plain = Self.run(g, activation: .none, threads: 1)
      guard plain.ran else { continue }
      for activation in [Activation.relu, .clip(low: -0.25, high: 0.5), .hardSwish] {
        var expected = plain.output
        expected.withUnsafeMutableBufferPointer { activation.applyInPlace($0.baseAddress!, $0.count) }
        let fused = Self.run(g, activation: activation, threads: 1).output
        #expect(fused.map(\.bitPattern) == expected.map(\.bitPattern), "\(name), \(activation)")
      }
    }
  }

  @Test("declines what it cannot run")
  func declines() {
    let unpadded = ConvolutionReference.geometry(
      batch: 1, inChannels: 2, outChannels: 2, size: (6, 6), kernel: 3, group: 2)
    let sevenBySeven = ConvolutionReference.geometry(
      batch: 1, inChannels: 2, outChannels: 2, size: (6, 6), kernel: 7, pad: 3, group: 2)
    let unpaddedFiveByFive = ConvolutionReference.geometry(
      batch: 1, inChannels: 2, outChannels: 2, size: (8, 8), kernel: 5, pad: 1, group: 2)
    let dilated = ConvolutionReference.geometry(
      batch: 1, inChannels: 2, outChannels: 2, size: (6, 6), kernel: 3, pad: 2, dilation: 2, group: 2)
    let stride3 = ConvolutionReference.geometry(
      batch: 1, inChannels: 2, outChannels: 2, size: (9, 9), kernel: 3, stride: 3, pad: 1, group: 2)
    for g in [unpadded, sevenBySeven, unpaddedFiveByFive, dilated, stride3] {
      #expect(!Self.run(g, activation: .none, threads: 1).ran)
    }
  }
}
