/// The parameters of TFLite Micro's int8 LOGISTIC (`CalculateArithmeticOpDataLogistic`). The output is fixed
/// at scale 1/256, zero point -128.
///
/// TFLite Micro evaluates int8 LOGISTIC with gemmlowp's fixed-point `logistic` (the input rescaled to Q4.27),
/// not with a lookup table; desktop TFLite's optimized kernel uses a 256-entry table built in `float`, which
/// can differ by one step. This is the Micro path, because the device runs TFLite Micro.
struct LogisticParameters: Equatable, Sendable {
  /// The input zero point.
  var inputZeroPoint: Int32
  /// Input differences at or beyond this magnitude saturate to -128 / 127.
  var inputRangeRadius: Int32
  /// `s_in * 2^27` as a Q31 significand and exponent (from `frexp`, without `QuantizeMultiplier`'s edge
  /// handling, exactly as TFLite Micro computes it).
  var inputMultiplier: QuantizedMultiplier
  /// The device's rounding mode.
  var rounding: RoundingMode

  /// TFLite Micro's prepare step for int8 input at `inputScale` / `inputZeroPoint`.
  init(inputScale: Float, inputZeroPoint: Int32, rounding: RoundingMode = .double) throws(EngineError) {
    guard inputScale > 0, inputScale.isFinite else {
      throw EngineError(.invalidModel, "LOGISTIC input scale \(inputScale) must be positive and finite")
    }
    self.inputZeroPoint = inputZeroPoint
    self.rounding = rounding
    let real = Double(inputScale) * Double(1 << 27)
    let (fraction, exponent) = QuantizedMultiplier.frexp(real)
    let fixed = Int64((fraction * Double(Int64(1) << 31)).rounded(.toNearestOrAwayFromZero))
    inputMultiplier = QuantizedMultiplier(multiplier: Int32(truncatingIfNeeded: fixed), shift: exponent)
    inputRangeRadius = FixedPoint.inputRadius(integerBits: 4, leftShift: exponent)
  }

  /// One output element (TFLite's `reference_integer_ops::Logistic` body).
  @inline(__always)
  func apply(_ x: Int8) -> Int8 {
    let input = Int32(x) &- inputZeroPoint
    if input <= -inputRangeRadius { return .min }
    if input >= inputRangeRadius { return .max }
    let q4 = FixedPoint.multiply(input, by: inputMultiplier, rounding)
    let q0 = FixedPointMath.logistic(q4, integerBits: 4)
    let v = FixedPoint.roundingDivideByPOT(q0, 31 - 8) &- 128
    return Int8(clamping: v)
  }
}

extension IntegerKernels {
  /// TFLite Micro's int8 LOGISTIC over `count` elements (output scale 1/256, zero point -128).
  static func logistic(
    _ input: UnsafePointer<Int8>, count: Int, output: UnsafeMutablePointer<Int8>,
    parameters: LogisticParameters
  ) {
    for i in 0..<count { output[i] = parameters.apply(input[i]) }
  }
}
