import Foundation
import Testing

@testable import JumpEngine

@Suite("Integer runtime: fixed-point primitives")
struct IntegerFixedPointTests {
  @Test("QuantizeMultiplier: ordinary values")
  func quantizeOrdinary() throws {
    #expect(try QuantizedMultiplier(0.5) == QuantizedMultiplier(multiplier: 1 << 30, shift: 0))
    #expect(try QuantizedMultiplier(1) == QuantizedMultiplier(multiplier: 1 << 30, shift: 1))
    #expect(try QuantizedMultiplier(0.75) == QuantizedMultiplier(multiplier: 3 << 29, shift: 0))
    // 0.1 = 0.8 * 2^-3; round(0.8 * 2^31) = 1717986918.4 -> 1717986918.
    #expect(try QuantizedMultiplier(0.1) == QuantizedMultiplier(multiplier: 1_717_986_918, shift: -3))
    // Large: 1000 = 0.9765625 * 2^10.
    #expect(try QuantizedMultiplier(1000) == QuantizedMultiplier(multiplier: 2_097_152_000, shift: 10))
    // Negative multipliers keep their sign in the significand.
    #expect(try QuantizedMultiplier(-0.5) == QuantizedMultiplier(multiplier: -(1 << 30), shift: 0))
    let m = try QuantizedMultiplier(0.0123456789)
    #expect(abs(m.real - 0.0123456789) < 1e-11)
  }

  @Test("QuantizeMultiplier: zero, tiny, the 2^31 edge, single-rounding saturation")
  func quantizeEdges() throws {
    #expect(try QuantizedMultiplier(0) == .zero)
    // Below 2^-32 the shift would be < -31: flushed to zero.
    #expect(try QuantizedMultiplier(0x1p-33) == .zero)
    #expect(try QuantizedMultiplier(1e-12) == .zero)
    // 2^-32 = 0.5 * 2^-31: shift -31 is still kept.
    #expect(try QuantizedMultiplier(0x1p-32) == QuantizedMultiplier(multiplier: 1 << 30, shift: -31))
    // q just below 1 rounds to 2^31: halved, shift incremented.
    let nearlyOne = 1 - 0x1p-33  // q * 2^31 = 2^31 - 0.25 -> rounds to 2^31
    #expect(try QuantizedMultiplier(nearlyOne) == QuantizedMultiplier(multiplier: 1 << 30, shift: 1))
    #expect(
      try QuantizedMultiplier(nearlyOne * 0x1p-5) == QuantizedMultiplier(multiplier: 1 << 30, shift: -4))
    // Just far enough below 1 to stay: 2^31 - 1.
    let below = 1 - 0x1p-31  // q * 2^31 = 2^31 - 1
    #expect(try QuantizedMultiplier(below) == QuantizedMultiplier(multiplier: .max, shift: 0))
    // Single rounding saturates shifts above 30; double rounding keeps them.
    #expect(try QuantizedMultiplier(0x1p40) == QuantizedMultiplier(multiplier: 1 << 30, shift: 41))
    #expect(
      try QuantizedMultiplier(0x1p40, rounding: .single) == QuantizedMultiplier(multiplier: .max, shift: 30))
    #expect(throws: EngineError.self) { try QuantizedMultiplier(.infinity) }
    #expect(throws: EngineError.self) { try QuantizedMultiplier(.nan) }
  }

  @Test("SaturatingRoundingDoublingHighMul: saturation; negative ties round toward +infinity")
  func highMul() {
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(Int32.min, Int32.min) == Int32.max)
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(Int32.min, Int32.max) == -Int32.max)
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(Int32.max, Int32.max) == Int32.max - 1)
    // a * b / 2^31 = +-0.5 or +-1.5 exactly: positive ties go up, negative ties also go up (toward zero).
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(1, 1 << 30) == 1)
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(-1, 1 << 30) == 0)  // -0.5 -> 0
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(3, 1 << 30) == 2)  // 1.5 -> 2
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(-3, 1 << 30) == -1)  // -1.5 -> -1
    // Just past a negative tie rounds away.
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(-3, (1 << 30) + 1) == -2)
    #expect(FixedPoint.saturatingRoundingDoublingHighMul(-3, (1 << 30) - 1) == -1)
    // Ties are exercised in bulk: a * 2^30 is always a multiple of 0.5.
    for a in Int32(-1000)...1000 {
      #expect(FixedPoint.saturatingRoundingDoublingHighMul(a, 1 << 30) == Reference.highMul(a, 1 << 30))
    }
    var random = SplitMix64(seed: 1)
    for _ in 0..<20_000 {
      let a = Int32(truncatingIfNeeded: random.next())
      let b = Int32(truncatingIfNeeded: random.next())
      #expect(FixedPoint.saturatingRoundingDoublingHighMul(a, b) == Reference.highMul(a, b))
    }
  }

  @Test("RoundingDivideByPOT: ties away from zero for both signs")
  func divideByPOT() {
    #expect(FixedPoint.roundingDivideByPOT(5, 1) == 3)  // 2.5
    #expect(FixedPoint.roundingDivideByPOT(-5, 1) == -3)  // -2.5
    #expect(FixedPoint.roundingDivideByPOT(6, 2) == 2)  // 1.5
    #expect(FixedPoint.roundingDivideByPOT(-6, 2) == -2)  // -1.5
    #expect(FixedPoint.roundingDivideByPOT(-7, 2) == -2)  // -1.75
    #expect(FixedPoint.roundingDivideByPOT(-5, 2) == -1)  // -1.25
    #expect(FixedPoint.roundingDivideByPOT(17, 0) == 17)
    #expect(FixedPoint.roundingDivideByPOT(Int32.max, 31) == 1)
    #expect(FixedPoint.roundingDivideByPOT(Int32.min, 31) == -1)
    var random = SplitMix64(seed: 2)
    for _ in 0..<20_000 {
      let x = Int32(truncatingIfNeeded: random.next())
      let e = random.int(0...31)
      #expect(Int64(FixedPoint.roundingDivideByPOT(x, e)) == Reference.divideByPOT(Int64(x), e))
    }
  }

  @Test("single and double rounding differ on a negative tie and agree elsewhere")
  func roundingModes() {
    // M = 0.5 * 2^-1 = 0.25: x = -2 gives exactly -0.5.
    let quarter = QuantizedMultiplier(multiplier: 1 << 30, shift: -1)
    #expect(quarter.apply(-2, rounding: .double) == -1)  // away from zero
    #expect(quarter.apply(-2, rounding: .single) == 0)  // toward +infinity
    #expect(quarter.apply(2, rounding: .double) == 1)
    #expect(quarter.apply(2, rounding: .single) == 1)
    // Double rounding rounds twice: x * 0.75 * 2^-2 with x = 5 is 0.9375 -> SRDHM 4 (3.75), /4 -> 1;
    // a case where two roundings differ from one: 0.5 + tiny.
    let m = QuantizedMultiplier(multiplier: (1 << 30) + 1, shift: -1)  // just above 0.25
    // x = 2: exact 0.5000000005 -> single rounds to 1; double: SRDHM(2, m) = 1 (1.0000000009), /2 tie -> 1.
    #expect(m.apply(2, rounding: .single) == 1)
    #expect(m.apply(2, rounding: .double) == 1)
    // x = -2: exact -0.5000000005 -> single -1 (floor(-0.0000000005)); double: SRDHM = -1, /2 tie -> -1.
    #expect(m.apply(-2, rounding: .single) == -1)
    var random = SplitMix64(seed: 3)
    for _ in 0..<20_000 {
      let x = Int32(truncatingIfNeeded: random.next()) >> random.int(0...20)
      let real = random.double(1e-6, 4)
      for mode in RoundingMode.allCases {
        guard let q = try? QuantizedMultiplier(real, rounding: mode) else { continue }
        let shifted = Int64(x) << max(q.shift, 0)
        if shifted > Int64(Int32.max) || shifted < Int64(Int32.min) { continue }
        #expect(Int64(q.apply(x, rounding: mode)) == Reference.requantize(Int64(x), q, mode))
      }
    }
  }

  @Test("64-bit requantization (16x8) uses the 16-bit reduced multiplier")
  func requantize64() {
    let m = QuantizedMultiplier(multiplier: 1 << 30, shift: -1)  // 0.25
    #expect(FixedPoint.multiplyByQuantizedMultiplier(Int64(-2), m.multiplier, m.shift) == 0)  // -0.5 -> up
    #expect(FixedPoint.multiplyByQuantizedMultiplier(Int64(1) << 40, m.multiplier, m.shift) == 1 << 38)
    // Multipliers at the top saturate to 0x7FFF.
    #expect(FixedPoint.multiplyByQuantizedMultiplier(Int64(1) << 20, .max, 0) == 0x7FFF << 5)
  }

  @Test("fused activation ranges: RELU and RELU6 via Q(0), Q(6)")
  func activationRanges() throws {
    #expect(try ActivationRange(.none, scale: 0.1, zeroPoint: 3) == .int8)
    #expect(try ActivationRange(.relu, scale: 0.1, zeroPoint: -20) == ActivationRange(min: -20, max: 127))
    #expect(try ActivationRange(.relu6, scale: 0.1, zeroPoint: -20) == ActivationRange(min: -20, max: 40))
    // Q(6) beyond int8 clips to 127; Q(0) below -128 clips to -128.
    #expect(try ActivationRange(.relu6, scale: 0.01, zeroPoint: -128) == ActivationRange(min: -128, max: 127))
    #expect(try ActivationRange(.relu, scale: 0.1, zeroPoint: -200) == ActivationRange(min: -128, max: 127))
    #expect(
      try ActivationRange(.reluN1To1, scale: 1.0 / 64, zeroPoint: 0) == ActivationRange(min: -64, max: 64))
    // 6 / 0.047 = 127.66 -> 128 (rounded in float), + zp.
    #expect(try ActivationRange(.relu6, scale: 0.047, zeroPoint: -128).max == 0)
    #expect(try ActivationRange(.relu6, scale: 0.001, zeroPoint: 0, bits: 16).max == 6000)
    #expect(throws: EngineError.self) { try ActivationRange(.relu, scale: 0, zeroPoint: 0) }
  }

  @Test("gemmlowp exp, 1/(1+x) and logistic against Double")
  func transcendental() {
    for i in 0...200 {
      let x = -Double(i) * 0.08  // [-16, 0]
      let raw = Int32((x * Double(1 << 26)).rounded())  // Q5.26
      let e = Double(FixedPointMath.expOnNegativeValues(raw, integerBits: 5)) / 0x1p31
      #expect(abs(e - exp(x)) < 2e-6, "exp(\(x))")
    }
    for i in 0..<100 {
      let x = Double(i) / 100
      let r = Double(FixedPointMath.oneOverOnePlusX(Int32(x * 0x1p31))) / 0x1p31
      #expect(abs(r - 1 / (1 + x)) < 1e-7)
    }
    for i in -100...100 {
      let x = Double(i) * 0.15
      let raw = Int32((x * Double(1 << 27)).rounded())  // Q4.27
      let s = Double(FixedPointMath.logistic(raw, integerBits: 4)) / 0x1p31
      #expect(abs(s - 1 / (1 + exp(-x))) < 1e-6, "logistic(\(x))")
    }
  }
}
