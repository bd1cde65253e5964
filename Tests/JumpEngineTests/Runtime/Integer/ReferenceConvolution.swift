@testable import JumpEngine

/// The straightforward loops of TFLite's reference CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (one
/// output at a time, padded taps skipped, `w * (x - zeroPoint)` summed in 64 bits), the oracle the fast
/// kernels of `IntegerKernels` are compared with bit for bit.
enum ReferenceConvolution {
  /// One layer's operands: NCHW input, OIHW weights, one bias per output channel.
  struct Operands<Element: ConvolutionActivation> {
    var g: ConvGeometry
    var input: [Element]
    var weight: [Int8]
    var bias: [Element.Accumulator]
    var depthwise: Bool
  }

  /// The layer's output, requantized as TFLite requantizes `Element` accumulators.
  static func run<Element: ConvolutionActivation>(
    _ o: Operands<Element>, _ q: ConvolutionQuantization
  ) -> [Element] {
    let g = o.g
    let perGroupIn = o.depthwise ? 1 : g.inPerGroup
    let multiplier = max(1, g.outChannels / g.inChannels)
    var output: [Element] = []
    output.reserveCapacity(g.batch * g.outChannels * g.outPlane)
    for n in 0..<g.batch {
      for oc in 0..<g.outChannels {
        for oy in 0..<g.outHeight {
          for ox in 0..<g.outWidth {
            var acc: Int64 = 0
            for i in 0..<perGroupIn {
              let ic = o.depthwise ? oc / multiplier : (oc / g.outPerGroup) * g.inPerGroup + i
              for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                  let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                  let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                  guard iy >= 0, iy < g.inHeight, ix >= 0, ix < g.inWidth else { continue }
                  let x = Int64(o.input[((n * g.inChannels + ic) * g.inHeight + iy) * g.inWidth + ix])
                  let w = Int64(o.weight[((oc * perGroupIn + i) * g.kernelHeight + ky) * g.kernelWidth + kx])
                  acc += w * (x - Int64(q.inputZeroPoint))
                }
              }
            }
            output.append(requantize(acc + Int64(o.bias[oc]), q.multiplier(oc), q, Element.self))
          }
        }
      }
    }
    return output
  }

  /// TFLite's requantization of one accumulator: 32-bit (int8) or 64-bit (16x8).
  static func requantize<Element: ConvolutionActivation>(
    _ acc: Int64, _ m: QuantizedMultiplier, _ q: ConvolutionQuantization, _: Element.Type
  ) -> Element {
    let scaled: Int32
    if Element.self == Int8.self {
      scaled =
        FixedPoint.multiplyByQuantizedMultiplier(
          Int32(truncatingIfNeeded: acc), m.multiplier, m.shift, q.rounding) &+ q.outputZeroPoint
    } else {
      scaled = FixedPoint.multiplyByQuantizedMultiplier(acc, m.multiplier, m.shift)
    }
    return Element(truncatingIfNeeded: q.range.clamp(scaled))
  }
}
