/// Fake quantization of one activation tensor: the float values the integer graph would represent,
/// `(clamp(round(x / s) + z, qmin, qmax) - z) · s`, with the parameters `Quantizer` chooses for it.
///
/// The backward pass is the straight-through estimator: the gradient passes unchanged where `x` falls
/// inside the representable range and is zero where the clamp cut it off. For learned ranges
/// (`scaleGradient`) the gradient of the scale is LSQ's (Esser et al. 2020, REFERENCES): per element
/// `round(x/s) - x/s` inside the range, `qmin - z` below it and `qmax - z` above it, with the zero point
/// held fixed.
public struct FakeQuantizer: Sendable, Equatable {
  /// The step between codes.
  public let scale: Float
  /// The code of 0.
  public let zeroPoint: Float
  /// The smallest and largest code.
  public let qmin: Float, qmax: Float

  /// A quantizer with `parameters` (per tensor) for `type` codes; int8 unless `type` says otherwise.
  public init(_ parameters: QuantizationParameters, type: QuantizedElementType = .int8) {
    let range = type.integerRange ?? -128...127
    scale = parameters.scale
    zeroPoint = Float(parameters.zeroPoint)
    qmin = Float(range.lowerBound)
    qmax = Float(range.upperBound)
  }

  /// The smallest and largest value the codes represent.
  public var representable: ClosedRange<Float> { ((qmin - zeroPoint) * scale)...((qmax - zeroPoint) * scale) }

  /// The fake-quantized `x`.
  func forward(_ x: TrainValue) -> TrainValue {
    var y = TrainValue.zeros(x.shape)
    let (s, z, low, high) = (scale, zeroPoint, qmin, qmax)
    let n = x.count
    x.values.withPointer { x in
      y.values.withMutablePointer { y in
        for i in 0..<n {
          let q = min(max((x[i] / s).rounded() + z, low), high)
          y[i] = (q - z) * s
        }
      }
    }
    return y
  }

  /// The straight-through estimator: zeroes `gradient` where `x` was clamped.
  func passThrough(_ x: TrainValue, _ gradient: inout TrainValue) {
    let (s, z, low, high) = (scale, zeroPoint, qmin, qmax)
    let n = x.count
    x.values.withPointer { x in
      gradient.values.withMutablePointer { g in
        for i in 0..<n {
          let q = (x[i] / s).rounded() + z
          g[i] = (q >= low && q <= high) ? g[i] : 0
        }
      }
    }
  }

  /// LSQ's `dL/ds = Σ dL/dx̂ · dx̂/ds` over the elements, before LSQ's gradient scale is applied.
  func scaleGradient(_ x: TrainValue, _ gradient: TrainValue) -> Double {
    let (s, z, low, high) = (scale, zeroPoint, qmin, qmax)
    let n = x.count
    var total: Double = 0
    x.values.withPointer { x in
      gradient.values.withPointer { g in
        for i in 0..<n {
          let v = x[i] / s
          let r = v.rounded()
          let q = r + z
          let slope = q < low ? low - z : (q > high ? high - z : r - v)
          total += Double(g[i] * slope)
        }
      }
    }
    return total
  }
}

/// Fake quantization of a weight tensor: symmetric codes in `[-limit, limit]` with `max|w| / limit` per
/// slice along `axis` (per tensor when nil), exactly `QuantizationRules.symmetricWeights` dequantized.
///
/// The scale follows the weights, so nothing is ever clamped and the straight-through gradient is the
/// identity: the optimizer updates the float weights with the gradient of their quantized copy.
public enum WeightFakeQuantization {
  /// The dequantized codes of `values`.
  public static func apply(_ values: [Float], shape: [Int], axis: Int?, limit: Int64) -> [Float] {
    let channels = axis.map { shape[$0] } ?? 1
    let inner = axis.map { shape[($0 + 1)...].reduce(1, *) } ?? max(values.count, 1)
    let outer = max(values.count / max(channels * inner, 1), 1)
    var maxima = [Float](repeating: 0, count: max(channels, 1))
    values.withPointer { w in
      for o in 0..<outer {
        for c in 0..<channels {
          let base = (o * channels + c) * inner
          var m: Float = 0
          for k in 0..<inner { m = max(m, abs(w[base + k])) }
          maxima[c] = max(maxima[c], m)
        }
      }
    }
    let bound = Double(limit)
    var result = [Float](repeating: 0, count: values.count)
    values.withPointer { w in
      result.withMutablePointer { out in
        for c in 0..<channels {
          let scale = maxima[c] > 0 ? maxima[c] / Float(limit) : 1
          let s = Double(scale)
          for o in 0..<outer {
            let base = (o * channels + c) * inner
            // Divides in Double as QuantizationRules.quantize does, so ties round to the same code.
            for k in 0..<inner {
              let q = min(max((Double(w[base + k]) / s).rounded(), -bound), bound)
              out[base + k] = Float(q) * scale
            }
          }
        }
      }
    }
    return result
  }
}
