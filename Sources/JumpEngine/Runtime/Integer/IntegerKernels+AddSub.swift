/// The parameters of TFLite's int8 or int16 ADD or SUB, computed as TFLite Micro's `Prepare` computes them.
///
/// Both inputs are brought to a common scale: each is shifted left by `leftShift` (20 bits of headroom for
/// int8, 15 for int16, so `65535 << 15` still fits the int32 sum), multiplied by `s_i / (2 * max(s_1, s_2))` (below 1), summed (or subtracted), and the sum multiplied
/// by `2 * max(s_1, s_2) / (2^leftShift * s_out)`.
struct AddParameters: Equatable, Sendable {
  /// The zero points of the two inputs and the output.
  var input1ZeroPoint: Int32, input2ZeroPoint: Int32, outputZeroPoint: Int32
  /// The common left shift (20 for int8, 15 for int16).
  var leftShift: Int
  /// The multipliers of the two inputs and of the sum.
  var input1Multiplier: QuantizedMultiplier, input2Multiplier: QuantizedMultiplier
  /// The multiplier from the common scale to the output scale.
  var outputMultiplier: QuantizedMultiplier
  /// The clamp of the fused activation.
  var range: ActivationRange
  /// True for SUB (`a - b`).
  var subtract: Bool
  /// The device's rounding mode.
  var rounding: RoundingMode

  /// TFLite Micro's `CalculateOpDataAdd` (ADD: scale ratios in `double`) or `CalculateOpDataSub` (SUB: the
  /// same ratios computed in `float`, then widened; the two differ in the last bits of some multipliers),
  /// for `bits`-bit (8 or 16) tensors. int16 runs TFLite's general-scale path (`pot_scale_int16 = false`,
  /// as the exporter writes it), which is this arithmetic with the smaller left shift.
  init(
    input1Scale: Float, input1ZeroPoint: Int32, input2Scale: Float, input2ZeroPoint: Int32,
    outputScale: Float, outputZeroPoint: Int32, range: ActivationRange = .int8, subtract: Bool = false,
    bits: Int = 8, rounding: RoundingMode = .double
  ) throws(EngineError) {
    self.input1ZeroPoint = input1ZeroPoint
    self.input2ZeroPoint = input2ZeroPoint
    self.outputZeroPoint = outputZeroPoint
    self.range = range
    self.subtract = subtract
    self.rounding = rounding
    leftShift = bits == 16 ? 15 : 20
    let real1: Double
    let real2: Double
    let realOutput: Double
    if subtract {
      let twiceMax = 2 * max(input1Scale, input2Scale)
      real1 = Double(input1Scale / twiceMax)
      real2 = Double(input2Scale / twiceMax)
      realOutput = Double(twiceMax / (Float(1 << leftShift) * outputScale))
    } else {
      let twiceMax = 2 * Double(max(input1Scale, input2Scale))
      real1 = Double(input1Scale) / twiceMax
      real2 = Double(input2Scale) / twiceMax
      realOutput = twiceMax / (Double(1 << leftShift) * Double(outputScale))
    }
    for real in [real1, real2, realOutput] where !(real > 0 && real < 1) {
      throw EngineError(
        .invalidModel,
        "\(subtract ? "SUB" : "ADD") scales give the multiplier \(real), outside (0, 1) as TFLite requires")
    }
    input1Multiplier = try QuantizedMultiplier(real1, rounding: rounding)
    input2Multiplier = try QuantizedMultiplier(real2, rounding: rounding)
    outputMultiplier = try QuantizedMultiplier(realOutput, rounding: rounding)
  }

  /// One output element (TFLite's `AddFunc` / the SUB lambda), clamped to the activation's range.
  @inline(__always)
  func value(_ x: Int32, _ y: Int32) -> Int32 {
    let shifted1 = (x &- input1ZeroPoint) &<< Int32(leftShift)
    let shifted2 = (y &- input2ZeroPoint) &<< Int32(leftShift)
    let scaled1 = FixedPoint.multiply(shifted1, by: input1Multiplier, rounding)
    let scaled2 = FixedPoint.multiply(shifted2, by: input2Multiplier, rounding)
    let raw = subtract ? scaled1 &- scaled2 : scaled1 &+ scaled2
    let v = FixedPoint.multiply(raw, by: outputMultiplier, rounding) &+ outputZeroPoint
    return range.clamp(v)
  }

  /// One int8 output element.
  @inline(__always)
  func apply(_ x: Int8, _ y: Int8) -> Int8 { Int8(truncatingIfNeeded: value(Int32(x), Int32(y))) }

  /// One int16 output element.
  @inline(__always)
  func apply(_ x: Int16, _ y: Int16) -> Int16 { Int16(truncatingIfNeeded: value(Int32(x), Int32(y))) }
}

extension IntegerKernels {
  /// TFLite's int8 ADD / SUB with NumPy broadcasting over NCHW shapes, as planned by `plan`.
  static func add(
    _ plan: BroadcastPlan, a: UnsafePointer<Int8>, b: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
    parameters: AddParameters
  ) {
    broadcastRows(plan, a: a, b: b, output: output) { x, y in parameters.apply(x, y) }
  }

  /// TFLite's int16 ADD / SUB (general scales) with NumPy broadcasting, as planned by `plan`.
  static func add(
    _ plan: BroadcastPlan, a: UnsafePointer<Int16>, b: UnsafePointer<Int16>,
    output: UnsafeMutablePointer<Int16>, parameters: AddParameters
  ) {
    broadcastRows(plan, a: a, b: b, output: output) { x, y in parameters.apply(x, y) }
  }

  /// Runs `body` over every output element of a broadcast, row by row (pre-specialized for int8, see
  /// `IntegerKernels`).
  @_specialize(where Element == Int8, Result == Int8)
  @_specialize(where Element == Int16, Result == Int16)
  static func broadcastRows<Element, Result>(
    _ plan: BroadcastPlan, a: UnsafePointer<Element>, b: UnsafePointer<Element>,
    output: UnsafeMutablePointer<Result>, _ body: (Element, Element) -> Result
  ) {
    let inner = plan.inner
    let (sa, sb) = (plan.innerStrideA, plan.innerStrideB)
    for row in 0..<plan.rows {
      let (offsetA, offsetB) = plan.offsets(ofRow: row)
      let x = a + offsetA
      let y = b + offsetB
      let out = output + row * inner
      for i in 0..<inner { out[i] = body(x[i * sa], y[i * sb]) }
    }
  }
}
