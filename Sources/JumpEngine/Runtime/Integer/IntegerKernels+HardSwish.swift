/// The parameters of TFLite's int8 HARD_SWISH (`HardSwishPrepare`), `x * relu6(x + 3) / 6`.
///
/// The input is moved to a "high-resolution" scale `s_in / 128` in int16; two 16-bit multipliers take it to
/// the output scale (before the final shift) and to the "reluish" scale on which 3.0 is 32768. The scale
/// ratios are computed in `float` and only then widened, as TFLite does.
struct HardSwishParameters: Equatable, Sendable {
  /// The input and output zero points.
  var inputZeroPoint: Int32, outputZeroPoint: Int32
  /// `(s_in / 128) / s_out` as a Q15 significand and a non-positive exponent.
  var outputMultiplier: Int16, outputExponent: Int
  /// `(s_in / 128) / (3 / 32768)` as a Q15 significand and an exponent of either sign.
  var reluishMultiplier: Int16, reluishExponent: Int

  /// TFLite Micro's `HardSwishPrepare` for int8. Throws where TFLite's `Prepare` fails: an output exponent
  /// above 0, i.e. `s_in / s_out >= 128`.
  init(
    inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32,
    rounding: RoundingMode = .double
  ) throws(EngineError) {
    self.inputZeroPoint = inputZeroPoint
    self.outputZeroPoint = outputZeroPoint
    let hiresInputScale = (1 / Float(128)) * inputScale
    let reluishScale = Float(3) / Float(32768)
    let output = try QuantizedMultiplier(Double(hiresInputScale / outputScale), rounding: rounding)
    guard output.shift <= 0 else {
      throw EngineError(
        .invalidModel,
        "HARD_SWISH input scale \(inputScale) is too large for output scale \(outputScale) (TFLite requires s_in / s_out < 128)"
      )
    }
    outputMultiplier = FixedPoint.downScaleToInt16(output.multiplier)
    outputExponent = output.shift
    let reluish = try QuantizedMultiplier(Double(hiresInputScale / reluishScale), rounding: rounding)
    reluishMultiplier = FixedPoint.downScaleToInt16(reluish.multiplier)
    reluishExponent = reluish.shift
  }

  /// One output element (TFLite's `reference_ops::HardSwish` body, in its int16 arithmetic).
  @inline(__always)
  func apply(_ x: Int8) -> Int8 {
    let inputValue = Int16(truncatingIfNeeded: Int32(x) &- inputZeroPoint)
    let hires = inputValue &* 128
    let preshiftOutput = FixedPoint.saturatingRoundingDoublingHighMul16(hires, outputMultiplier)
    var reluish = hires
    if reluishExponent > 0 { reluish = FixedPoint.saturatingLeftShift16(reluish, reluishExponent - 1) }
    reluish = FixedPoint.saturatingRoundingDoublingHighMul16(reluish, reluishMultiplier)
    if reluishExponent > 0 { reluish = FixedPoint.saturatingLeftShift16(reluish, 1) }
    if reluishExponent < 0 { reluish = FixedPoint.roundingDivideByPOT16(reluish, -reluishExponent) }
    // From [-1, 1] to [0, 1].
    reluish = Int16(truncatingIfNeeded: (Int32(reluish) + (1 << 15)) >> 1)
    let preshift = FixedPoint.saturatingDoublingHighMul16(reluish, preshiftOutput)
    var value = FixedPoint.roundingDivideByPOT16(preshift, -outputExponent)
    value = Int16(truncatingIfNeeded: Int32(value) &+ outputZeroPoint)
    return Int8(clamping: value)
  }
}

extension IntegerKernels {
  /// TFLite's int8 HARD_SWISH over `count` elements (TFLite Micro runs the reference kernel).
  static func hardSwish(
    _ input: UnsafePointer<Int8>, count: Int, output: UnsafeMutablePointer<Int8>,
    parameters: HardSwishParameters
  ) {
    for i in 0..<count { output[i] = parameters.apply(input[i]) }
  }
}
