/// gemmlowp's fixed-point transcendental functions on raw `int32` values, as far as the int8 logistic and
/// softmax kernels need them.
///
/// A gemmlowp `FixedPoint<int32_t, k>` is a raw `Int32` with `k` integer bits and `31 - k` fractional bits;
/// here the raw value travels as a plain `Int32` and `k` is an argument. Multiplying two fixed-point values is
/// `saturatingRoundingDoublingHighMul` (the integer bits add); `+` and `-` wrap, as the C++ does.
enum FixedPointMath {
  /// The raw value of 1 in a format with `integerBits` integer bits (`Int32.max` for Q0.31, where 1 is not
  /// representable).
  @inline(__always)
  static func one(integerBits: Int) -> Int32 {
    integerBits == 0 ? .max : Int32(1) << (31 - integerBits)
  }

  /// gemmlowp's `Rescale`: the same real value in a format with `to` integer bits instead of `from`.
  @inline(__always)
  static func rescale(_ x: Int32, from: Int, to: Int) -> Int32 {
    FixedPoint.saturatingRoundingMultiplyByPOT(x, from - to)
  }

  /// gemmlowp's `RoundingHalfSum`: `(a + b) / 2` rounded half away from zero.
  @inline(__always)
  static func roundingHalfSum(_ a: Int32, _ b: Int32) -> Int32 {
    let sum = Int64(a) + Int64(b)
    let sign: Int64 = sum >= 0 ? 1 : -1
    return Int32(truncatingIfNeeded: (sum + sign) / 2)
  }

  /// Fixed-point product (`operator*` on gemmlowp `FixedPoint`s).
  @inline(__always)
  private static func mul(_ a: Int32, _ b: Int32) -> Int32 {
    FixedPoint.saturatingRoundingDoublingHighMul(a, b)
  }

  /// gemmlowp's `exp_on_interval_between_negative_one_quarter_and_0_excl` on Q0.31: a fourth-order Taylor
  /// expansion around -1/8.
  @inline(__always)
  static func expOnIntervalNegativeQuarterToZero(_ a: Int32) -> Int32 {
    let constantTerm: Int32 = 1_895_147_668  // exp(-1/8)
    let oneThird: Int32 = 715_827_883
    let x = a &+ (1 << 28)  // a + 1/8
    let x2 = mul(x, x)
    let x3 = mul(x2, x)
    let x4 = mul(x2, x2)
    let x4Over4 = FixedPoint.roundingDivideByPOT(x4, 2)
    let series = FixedPoint.roundingDivideByPOT(mul(x4Over4 &+ x3, oneThird) &+ x2, 1)
    return constantTerm &+ mul(constantTerm, x &+ series)
  }

  /// The multipliers `exp(-2^e)` in Q0.31 for `e` = -2...4, and `e` itself, for the barrel shifter.
  private static let expBarrel: [(exponent: Int, multiplier: Int32)] = [
    (-2, 1_672_461_947), (-1, 1_302_514_674), (0, 790_015_084), (1, 290_630_308), (2, 39_332_535),
    (3, 720_401), (4, 242),
  ]

  /// gemmlowp's `exp_on_negative_values`: `exp(a)` in Q0.31 for `a <= 0` with `integerBits` integer bits.
  ///
  /// The input is split into its residue modulo 1/4 (evaluated by the Taylor series) and multiples of
  /// 1/4, 1/2, 1, 2, ... (each a constant factor applied when its bit is set).
  static func expOnNegativeValues(_ a: Int32, integerBits: Int) -> Int32 {
    let fractionalBits = 31 - integerBits
    let oneQuarter = Int32(1) << (fractionalBits - 2)
    let mask = oneQuarter &- 1
    let aModQuarterMinusQuarter = (a & mask) &- oneQuarter
    var result = expOnIntervalNegativeQuarterToZero(
      rescale(aModQuarterMinusQuarter, from: integerBits, to: 0))
    let remainder = aModQuarterMinusQuarter &- a
    for (exponent, multiplier) in expBarrel where integerBits > exponent {
      let bit = Int32(1) << (fractionalBits + exponent)
      if remainder & bit != 0 { result = mul(result, multiplier) }
    }
    if integerBits > 5 {
      let clamp = -(Int32(1) << (36 - integerBits))  // -32.0
      if a < clamp { result = 0 }
    }
    return a == 0 ? one(integerBits: 0) : result
  }

  /// gemmlowp's `one_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` in Q0.31 for `a` in `[0, 1)`, by three
  /// Newton-Raphson steps from the 48/17 - 32/17 x estimate.
  static func oneOverOnePlusX(_ a: Int32) -> Int32 {
    let halfDenominator = roundingHalfSum(a, .max)
    let c48Over17: Int32 = 1_515_870_810  // Q2.29
    let cMinus32Over17: Int32 = -1_010_580_540  // Q2.29
    var x = c48Over17 &+ mul(halfDenominator, cMinus32Over17)
    let oneQ2 = one(integerBits: 2)
    for _ in 0..<3 {
      let halfDenominatorTimesX = mul(halfDenominator, x)
      let oneMinus = oneQ2 &- halfDenominatorTimesX
      x = x &+ rescale(mul(x, oneMinus), from: 4, to: 2)
    }
    // ExactMulByPot<-1> reinterprets Q2 as Q1; then Rescale to Q0.
    return rescale(x, from: 1, to: 0)
  }

  /// gemmlowp's `logistic`: `1 / (1 + exp(-a))` in Q0.31 for `a` with `integerBits` integer bits.
  static func logistic(_ a: Int32, integerBits: Int) -> Int32 {
    if a == 0 { return 1 << 30 }
    let absolute = a > 0 ? a : 0 &- a
    let positive = oneOverOnePlusX(expOnNegativeValues(0 &- absolute, integerBits: integerBits))
    return a > 0 ? positive : one(integerBits: 0) &- positive
  }

  /// TFLite's `GetReciprocal`: `1 / x` for a positive `x` with `integerBits` integer bits, as a Q0.31 value
  /// and the number of bits by which `x` exceeded 1 (the result must be shifted right by that much more).
  static func reciprocal(_ x: Int32, integerBits: Int) -> (scale: Int32, bitsOverUnit: Int) {
    let bits = UInt32(bitPattern: x)
    let headroomPlusOne = bits.leadingZeroBitCount
    let bitsOverUnit = integerBits - headroomPlusOne
    let shifted = headroomPlusOne >= 32 ? 0 : bits << UInt32(headroomPlusOne)
    let shiftedSumMinusOne = Int32(bitPattern: shifted &- (1 << 31))
    return (oneOverOnePlusX(shiftedSumMinusOne), bitsOverUnit)
  }
}
