/// How `multiplyByQuantizedMultiplier` rounds: this must match the TFLite build on the device.
///
/// TFLite (and TFLite Micro) compile one of two implementations of `MultiplyByQuantizedMultiplier`. The
/// default is gemmlowp's double rounding (a rounding doubling high multiply, then a rounding right shift);
/// builds with `TFLITE_SINGLE_ROUNDING=1` (CMSIS-NN and some vendor ports) do one 64-bit multiply and one
/// rounding shift. The two differ by one step on some ties, so the reference executor must use the mode of
/// the runtime the model will run on, or its outputs are not the device's.
public enum RoundingMode: String, Sendable, Equatable, CaseIterable {
  /// gemmlowp's `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << left, m), right)`: TFLite's default.
  case double
  /// `(x * m + 2^(30 - shift)) >> (31 - shift)` in 64 bits (`TFLITE_SINGLE_ROUNDING`): ties round up.
  case single
}

/// TFLite's and gemmlowp's scalar fixed-point primitives, bit for bit.
///
/// Every function here reproduces the C++ reference on every input, including the edges the C++ leaves to
/// two's-complement wrapping (it is compiled without `-ftrapv`): where the reference would overflow an `int`,
/// these use wrapping arithmetic rather than trapping, so a model that overflows on the device overflows the
/// same way here.
enum FixedPoint {
  /// gemmlowp's `SaturatingRoundingDoublingHighMul`: `a * b / 2^31` rounded to nearest, ties toward
  /// +infinity (ARM's `SQRDMULH`).
  ///
  /// The nudge `1 - 2^30` for negative products plus C's truncating division sends a negative tie such as
  /// -0.5 to 0 and -1.5 to -1 (not away from zero); positive ties go up. The only overflow,
  /// `Int32.min * Int32.min`, saturates to `Int32.max`.
  @inline(__always)
  static func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
    if a == b && a == .min { return .max }
    let product = Int64(a) * Int64(b)
    let nudge: Int64 = product >= 0 ? 1 << 30 : 1 - (1 << 30)
    // Swift's `/` truncates toward zero, as C's does.
    return Int32(truncatingIfNeeded: (product + nudge) / (1 << 31))
  }

  /// The 16-bit `SaturatingRoundingDoublingHighMul` (`a * b / 2^15` rounded, ties toward +infinity).
  @inline(__always)
  static func saturatingRoundingDoublingHighMul16(_ a: Int16, _ b: Int16) -> Int16 {
    if a == b && a == .min { return .max }
    let product = Int32(a) * Int32(b)
    let nudge: Int32 = product >= 0 ? 1 << 14 : 1 - (1 << 14)
    return Int16(truncatingIfNeeded: (product + nudge) / (1 << 15))
  }

  /// TFLite's 16-bit `SaturatingDoublingHighMul` (ARM's `SQDMULH`): `a * b / 2^15` truncated toward zero.
  ///
  /// Hard-swish uses it on purpose, to cancel the bias of the rounding multiplies before it.
  @inline(__always)
  static func saturatingDoublingHighMul16(_ a: Int16, _ b: Int16) -> Int16 {
    if a == b && a == .min { return .max }
    return Int16(truncatingIfNeeded: (Int32(a) * Int32(b)) / (1 << 15))
  }

  /// gemmlowp's `RoundingDivideByPOT`: `x / 2^exponent` rounded to nearest, ties away from zero.
  ///
  /// `exponent` must lie in `0...31`.
  @inline(__always)
  static func roundingDivideByPOT(_ x: Int32, _ exponent: Int) -> Int32 {
    let mask = Int32(truncatingIfNeeded: (Int64(1) << exponent) - 1)
    let remainder = x & mask
    let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
    return (x >> exponent) &+ (remainder > threshold ? 1 : 0)
  }

  /// gemmlowp's `RoundingDivideByPOT` on `int16_t`, including its behaviour for exponents of 16 and more
  /// (where the 16-bit mask wraps), which hard-swish can reach with extreme scales.
  @inline(__always)
  static func roundingDivideByPOT16(_ x: Int16, _ exponent: Int) -> Int16 {
    let mask = Int16(truncatingIfNeeded: (Int64(1) << exponent) - 1)
    let remainder = x & mask
    let threshold = Int16(truncatingIfNeeded: Int32(mask >> 1) + (x < 0 ? 1 : 0))
    let shifted = Int16(truncatingIfNeeded: Int32(x) >> exponent)
    return Int16(truncatingIfNeeded: Int32(shifted) + (remainder > threshold ? 1 : 0))
  }

  /// TFLite's `SaturatingLeftShift` on `int16_t`: `value * 2^amount` clamped to the `Int16` range.
  @inline(__always)
  static func saturatingLeftShift16(_ value: Int16, _ amount: Int) -> Int16 {
    let result = Int64(value) << amount
    return Int16(clamping: result)
  }

  /// gemmlowp's `SaturatingRoundingMultiplyByPOT<exponent>`: a saturating left shift for positive
  /// exponents, `roundingDivideByPOT` for negative ones.
  @inline(__always)
  static func saturatingRoundingMultiplyByPOT(_ x: Int32, _ exponent: Int) -> Int32 {
    if exponent == 0 { return x }
    if exponent < 0 { return roundingDivideByPOT(x, -exponent) }
    let threshold = Int32((1 << (31 - exponent)) - 1)
    if x > threshold { return .max }
    if x < -threshold { return .min }
    return x << exponent
  }

  /// TFLite's `MultiplyByQuantizedMultiplier(int32_t x, multiplier, shift)`: `x * multiplier * 2^(shift - 31)`
  /// rounded as `mode` says.
  ///
  /// Double rounding left-shifts `x` first (wrapping, as the C++ does), takes the rounding doubling high
  /// product, then divides by `2^-shift` with rounding. Single rounding needs `shift` in `-31...30`, which
  /// `QuantizedMultiplier(_:rounding:)` guarantees for `.single`.
  @inline(__always)
  static func multiplyByQuantizedMultiplier(
    _ x: Int32, _ multiplier: Int32, _ shift: Int, _ mode: RoundingMode
  ) -> Int32 {
    switch mode {
    case .double:
      let left = shift > 0 ? shift : 0
      let right = shift > 0 ? 0 : -shift
      let high = saturatingRoundingDoublingHighMul(x &<< Int32(left), multiplier)
      return roundingDivideByPOT(high, right)
    case .single:
      let totalShift = Int64(31 - shift)
      let round = Int64(1) << (totalShift - 1)
      return Int32(truncatingIfNeeded: (Int64(x) &* Int64(multiplier) &+ round) >> totalShift)
    }
  }

  /// TFLite's `MultiplyByQuantizedMultiplier(int64_t x, multiplier, shift)`, used by the 16x8 kernels.
  ///
  /// Both rounding modes compile this overload identically: the multiplier is first reduced to 16 bits
  /// (rounded, saturating at `0x7FFF`), then one 64-bit multiply and one rounding shift. The contract is
  /// `|x| < 2^47` and `shift` in `-31...7`.
  @inline(__always)
  static func multiplyByQuantizedMultiplier(_ x: Int64, _ multiplier: Int32, _ shift: Int) -> Int32 {
    let reduced: Int64 = multiplier < 0x7FFF_0000 ? Int64((multiplier + (1 << 15)) >> 16) : 0x7FFF
    let totalShift = Int64(15 - shift)
    let round = Int64(1) << (totalShift - 1)
    return Int32(truncatingIfNeeded: (x &* reduced &+ round) >> totalShift)
  }

  /// `multiplyByQuantizedMultiplier` with a `QuantizedMultiplier`.
  @inline(__always)
  static func multiply(_ x: Int32, by m: QuantizedMultiplier, _ mode: RoundingMode) -> Int32 {
    multiplyByQuantizedMultiplier(x, m.multiplier, m.shift, mode)
  }

  /// TFLite's `DownScaleInt32ToInt16Multiplier`: a Q31 multiplier rounded to Q15, saturating at `Int16.max`.
  static func downScaleToInt16(_ multiplier: Int32) -> Int16 {
    let offset: Int32 = 1 << 15
    if multiplier >= Int32.max - offset { return .max }
    return Int16(truncatingIfNeeded: (multiplier + offset) >> 16)
  }

  /// TFLite's `CalculateInputRadius`: the largest input difference whose rescaled value still fits in
  /// `integerBits` integer bits (`floor((2^integerBits - 1) * 2^(totalBits - integerBits) / 2^leftShift)`).
  static func inputRadius(integerBits: Int, leftShift: Int, totalBits: Int = 31) -> Int32 {
    let maxRescaled =
      Double((1 << integerBits) - 1) * Double(Int64(1) << (totalBits - integerBits))
      / Double(sign: .plus, exponent: leftShift, significand: 1)
    return Int32(clamping: Int64(maxRescaled.rounded(.down)))
  }
}
