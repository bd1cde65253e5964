import Testing

@testable import JumpEngine

/// A naive grouped 2-D convolution (bias, then activation) that the fast kernels are checked against.
enum ConvolutionReference {
  /// `N x C_out x H_out x W_out` from `N x C_in x H x W` input and `C_out x C_in/group x kh x kw` weight.
  static func convolve(
    _ g: ConvGeometry, input: [Float], weight: [Float], bias: [Float]?, activation: Activation
  ) -> [Float] {
    var output = [Float](repeating: 0, count: g.batch * g.outChannels * g.outPlane)
    for n in 0..<g.batch {
      for oc in 0..<g.outChannels {
        let group = oc / g.outPerGroup
        for oy in 0..<g.outHeight {
          for ox in 0..<g.outWidth {
            var sum = Double(bias?[oc] ?? 0)
            for ic in 0..<g.inPerGroup {
              let channel = group * g.inPerGroup + ic
              for ky in 0..<g.kernelHeight {
                let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                guard iy >= 0 && iy < g.inHeight else { continue }
                for kx in 0..<g.kernelWidth {
                  let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                  guard ix >= 0 && ix < g.inWidth else { continue }
                  let x = input[((n * g.inChannels + channel) * g.inHeight + iy) * g.inWidth + ix]
                  let w = weight[((oc * g.inPerGroup + ic) * g.kernelHeight + ky) * g.kernelWidth + kx]
                  sum += Double(x) * Double(w)
                }
              }
            }
            output[((n * g.outChannels + oc) * g.outHeight + oy) * g.outWidth + ox] = Float(sum)
          }
        }
      }
    }
    output.withUnsafeMutableBufferPointer { activation.applyInPlace($0.baseAddress!, $0.count) }
    return output
  }

  /// Runs `Kernels.conv2d` (whichever path it takes for `g`) with freshly planned scratch memory.
  static func fastConvolve(
    _ g: ConvGeometry, input: [Float], weight: [Float], bias: [Float]?, activation: Activation, threads: Int
  ) -> [Float] {
    var output = [Float](repeating: .nan, count: g.batch * g.outChannels * g.outPlane)
    let scratchCount = Kernels.conv2dScratchCount(g, threads: threads)
    var scratch = [Float](repeating: .nan, count: max(1, scratchCount))
    let biasValues = bias ?? []
    input.withUnsafeBufferPointer { x in
      weight.withUnsafeBufferPointer { w in
        biasValues.withUnsafeBufferPointer { b in
          output.withUnsafeMutableBufferPointer { y in
            scratch.withUnsafeMutableBufferPointer { s in
              Kernels.conv2d(
                g, input: x.baseAddress!, weight: w.baseAddress!, bias: b.isEmpty ? nil : b.baseAddress!,
                output: y.baseAddress!, activation: activation,
                scratch: scratchCount > 0 ? s.baseAddress! : nil,
                threads: threads)
            }
          }
        }
      }
    }
    return output
  }

  /// Expects `fastConvolve` within 1e-5 (relative) of the naive convolution on every case, with and
  /// without bias, under every activation the kernels fuse or apply; inputs, weights and biases are
  /// `values` from `seed`, `seed + 1` and `seed + 2`.
  static func expectMatchesNaive(
    _ cases: [(String, ConvGeometry)], threads: Int, seed: UInt64
  ) {
    for (name, g) in cases {
      let input = values(g.batch * g.inChannels * g.inPlane, seed: seed)
      let weight = values(g.outChannels * g.columnRows, seed: seed + 1)
      let bias = values(g.outChannels, seed: seed + 2)
      for withBias in [false, true] {
        for activation in [Activation.none, .relu, .clip(low: -0.5, high: 0.25), .hardSwish] {
          let expected = convolve(
            g, input: input, weight: weight, bias: withBias ? bias : nil, activation: activation)
          let actual = fastConvolve(
            g, input: input, weight: weight, bias: withBias ? bias : nil, activation: activation,
            threads: threads)
          #expect(relativeError(actual, expected) < 1e-5, "\(name), bias \(withBias), \(activation)")
        }
      }
    }
  }

  /// The geometry of a 2-D convolution with symmetric padding.
  static func geometry(
    batch: Int, inChannels: Int, outChannels: Int, size: (Int, Int), kernel: Int, stride: Int = 1,
    pad: Int = 0, dilation: Int = 1, group: Int = 1
  ) -> ConvGeometry {
    let outHeight = (size.0 + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1
    let outWidth = (size.1 + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1
    return ConvGeometry(
      input: [batch, inChannels, size.0, size.1], outChannels: outChannels,
      output: [batch, outChannels, outHeight, outWidth], kernel: [kernel, kernel], strides: [stride, stride],
      pads: [pad, pad, pad, pad], dilations: [dilation, dilation], group: group)!
  }

  /// Deterministic values in `[-1, 1)` (a linear congruential sequence from `seed`).
  static func values(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(state >> 40) / Float(1 << 23) - 1
    }
  }

  /// The largest absolute difference relative to the reference's largest magnitude.
  static func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    var difference: Float = 0
    var scale: Float = 0
    for (a, b) in zip(actual, expected) {
      difference = max(difference, abs(a - b))
      scale = max(scale, abs(b))
    }
    return difference / max(scale, 1e-6)
  }
}
