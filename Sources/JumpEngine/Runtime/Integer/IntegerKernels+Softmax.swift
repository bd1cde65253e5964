/// The parameters of TFLite Micro's int8 SOFTMAX (`CalculateSoftmaxParams`). The output is fixed at scale
/// 1/256, zero point -128.
///
/// TFLite Micro runs int8 SOFTMAX through `reference_ops::Softmax`, the gemmlowp fixed-point path
/// (`exp_on_negative_values` on Q5.26 differences, a Q12.19 sum, `GetReciprocal`), not the exp lookup table
/// that desktop TFLite's optimized kernel builds in `float`; they can differ by one step. This is the Micro
/// path, because the device runs TFLite Micro.
struct SoftmaxParameters: Equatable, Sendable {
  /// `beta * s_in * 2^26`, capped at `2^31 - 1` (`2^30 - 1` with single rounding): rescales an input
  /// difference to Q5.26.
  var inputMultiplier: QuantizedMultiplier
  /// Differences below this (in input steps) contribute nothing and give -128.
  var diffMin: Int32
  /// The device's rounding mode.
  var rounding: RoundingMode

  /// TFLite Micro's prepare step (`PreprocessSoftmaxScaling` with 5 integer bits, then
  /// `CalculateInputRadius`).
  init(inputScale: Float, beta: Float = 1, rounding: RoundingMode = .double) throws(EngineError) {
    self.rounding = rounding
    let cap = rounding == .single ? Double((1 << 30) - 1) : Double((Int64(1) << 31) - 1)
    let real = min(Double(beta) * Double(inputScale) * Double(1 << 26), cap)
    guard real > 1 else {
      throw EngineError(
        .invalidModel,
        "SOFTMAX input scale \(inputScale) with beta \(beta) is too small for TFLite (multiplier \(real) <= 1)"
      )
    }
    inputMultiplier = try QuantizedMultiplier(real, rounding: rounding)
    diffMin = -FixedPoint.inputRadius(integerBits: 5, leftShift: inputMultiplier.shift)
  }
}

extension IntegerKernels {
  /// TFLite Micro's int8 SOFTMAX along the middle axis of an `outer x axis x inner` view (`inner == 1` for
  /// the last axis, as TFLite always has it; NCHW models softmaxing over channels have `inner = H*W`).
  static func softmax(
    _ input: UnsafePointer<Int8>, outer: Int, axis: Int, inner: Int, output: UnsafeMutablePointer<Int8>,
    parameters: SoftmaxParameters
  ) {
    let m = parameters.inputMultiplier
    let rounding = parameters.rounding
    let diffMin = parameters.diffMin
    for o in 0..<outer {
      for i in 0..<inner {
        let x = input + o * axis * inner + i
        let y = output + o * axis * inner + i
        var maximum = Int8.min
        for c in 0..<axis where x[c * inner] > maximum { maximum = x[c * inner] }
        // Sum of exp(diff) in Q12.19.
        var sum: Int32 = 0
        for c in 0..<axis {
          let diff = Int32(x[c * inner]) - Int32(maximum)
          if diff >= diffMin {
            let scaled = FixedPoint.multiply(diff, by: m, rounding)
            let e = FixedPointMath.expOnNegativeValues(scaled, integerBits: 5)
            sum &+= FixedPointMath.rescale(e, from: 0, to: 12)
          }
        }
        let (scale, bitsOverUnit) = FixedPointMath.reciprocal(sum, integerBits: 12)
        let exponent = bitsOverUnit + 31 - 8
        for c in 0..<axis {
          let diff = Int32(x[c * inner]) - Int32(maximum)
          if diff >= diffMin {
            let scaled = FixedPoint.multiply(diff, by: m, rounding)
            let e = FixedPointMath.expOnNegativeValues(scaled, integerBits: 5)
            let product = FixedPoint.saturatingRoundingDoublingHighMul(scale, e)
            let v = FixedPoint.roundingDivideByPOT(product, exponent) &- 128
            y[c * inner] = Int8(clamping: v)
          } else {
            y[c * inner] = .min
          }
        }
      }
    }
  }
}
