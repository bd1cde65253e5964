/// The TFLite quantization spec's rules for choosing parameters and rounding values (REFERENCES §1).
public enum QuantizationRules {
  /// Parameters for an activation observed in `[low, high]`, stored as `type`.
  ///
  /// int8 is asymmetric: the range is first widened to include 0 (so zero padding and ReLU's zero are exact),
  /// then `scale = (high - low) / 255` and the zero point `-128 - low / scale`, rounded and clamped to
  /// [-128, 127]. int16 is symmetric with zero point 0: `scale = max(|low|, |high|) / 32767`. A range that
  /// is all zero gets scale 1 (any scale represents it exactly).
  public static func activationParameters(
    low: Float, high: Float, type: QuantizedElementType
  ) throws(EngineError) -> QuantizationParameters {
    guard low.isFinite, high.isFinite else {
      throw EngineError(.invalidData, "range [\(low), \(high)] is not finite")
    }
    let lo = min(low, 0)
    let hi = max(high, 0)
    if type == .int16 {
      let magnitude = max(-lo, hi)
      return QuantizationParameters(scale: magnitude > 0 ? magnitude / 32767 : 1, zeroPoint: 0)
    }
    guard let range = type.integerRange else {
      throw EngineError(.invalidModel, "\(type) activations cannot be quantized")
    }
    let qmin = Float(range.lowerBound)
    let qmax = Float(range.upperBound)
    guard hi > lo else { return QuantizationParameters(scale: 1, zeroPoint: range.lowerBound) }
    let scale = (hi - lo) / (qmax - qmin)
    let zero = min(max((qmin - lo / scale).rounded(), qmin), qmax)
    return QuantizationParameters(scale: scale, zeroPoint: Int64(zero))
  }

  /// The fixed output parameters of LOGISTIC and SOFTMAX: (1/256, -128) in int8, (1/32768, 0) in int16.
  public static func probabilityParameters(type: QuantizedElementType) -> QuantizationParameters {
    type == .int16
      ? QuantizationParameters(scale: 1.0 / 32768, zeroPoint: 0)
      : QuantizationParameters(scale: 1.0 / 256, zeroPoint: -128)
  }

  /// `clamp(round(value / scale) + zeroPoint, range)`, rounding half away from zero as TFLite does.
  @inline(__always)
  public static func quantize(
    _ value: Float, scale: Float, zeroPoint: Int64, range: ClosedRange<Int64>
  ) -> Int64 {
    let q = (Double(value) / Double(scale)).rounded()
    let low = Double(range.lowerBound)
    let high = Double(range.upperBound)
    guard q.isFinite else { return q > 0 ? range.upperBound : range.lowerBound }
    return Int64(min(max(q + Double(zeroPoint), low), high))
  }

  /// Symmetric weights: one scale per slice along `axis` (nil: one for the whole tensor), `max|w| / limit`,
  /// values rounded into [-limit, limit]. A slice of zeros gets scale 1.
  public static func symmetricWeights(
    _ values: [Float], shape: [Int], axis: Int?, limit: Int64
  ) -> (quantized: [Int64], scales: [Float]) {
    let channels = axis.map { shape[$0] } ?? 1
    let inner = axis.map { shape[($0 + 1)...].reduce(1, *) } ?? max(values.count, 1)
    var maxima = [Float](repeating: 0, count: max(channels, 1))
    for (i, v) in values.enumerated() {
      let c = axis == nil ? 0 : (i / max(inner, 1)) % channels
      maxima[c] = max(maxima[c], abs(v))
    }
    let scales = maxima.map { $0 > 0 ? $0 / Float(limit) : 1 }
    var quantized = [Int64](repeating: 0, count: values.count)
    for (i, v) in values.enumerated() {
      let c = axis == nil ? 0 : (i / max(inner, 1)) % channels
      quantized[i] = quantize(v, scale: scales[c], zeroPoint: 0, range: -limit...limit)
    }
    return (quantized, scales)
  }

  /// Biases as integers with `scale[c] = inputScale * weightScales[c]` and zero point 0, clamped to `type`.
  public static func bias(
    _ values: [Float], inputScale: Float, weightScales: [Float], type: QuantizedElementType
  ) -> (quantized: [Int64], scales: [Float]) {
    let scales = weightScales.map { inputScale * $0 }
    let range = type.integerRange ?? Int64(Int32.min)...Int64(Int32.max)
    var quantized = [Int64](repeating: 0, count: values.count)
    for (c, v) in values.enumerated() {
      let scale = scales.count == 1 ? scales[0] : scales[c]
      quantized[c] = quantize(v, scale: scale, zeroPoint: 0, range: range)
    }
    return (quantized, scales)
  }

  /// Integers in the storage `type` needs (int4 one per `Int8`).
  public static func storage(_ values: [Int64], type: QuantizedElementType) -> ConstantData {
    switch type {
    case .int8, .int4: return .int8(values.map { Int8(clamping: $0) })
    case .int16: return .int16(values.map { Int16(clamping: $0) })
    case .int32: return .int32(values.map { Int32(clamping: $0) })
    case .int64: return .int64(values)
    case .float32: return .float32(values.map { Float($0) })
    }
  }
}
