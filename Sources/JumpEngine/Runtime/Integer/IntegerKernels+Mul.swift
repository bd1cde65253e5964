/// The parameters of TFLite's int8 or int16 MUL: one multiplier `s_1 * s_2 / s_out`, in `double` as TFLite
/// Micro's `CalculateOpDataMul` computes it or in `float` as LiteRT's `mul.cc` does. int16 MUL uses the same
/// arithmetic (the product of two int16 codes fits in int32) and requires every zero point to be 0.
struct MulParameters: Equatable, Sendable {
  /// The zero points of the two inputs and the output.
  var input1ZeroPoint: Int32, input2ZeroPoint: Int32, outputZeroPoint: Int32
  /// `s_1 * s_2 / s_out`.
  var multiplier: QuantizedMultiplier
  /// The clamp of the fused activation.
  var range: ActivationRange
  /// The device's rounding mode.
  var rounding: RoundingMode

  /// TFLite Micro's `CalculateOpDataMul` for int8 or int16, or with `scalesInFloat` LiteRT's `Prepare`, which
  /// multiplies and divides the `float` scales in `float` and only widens the quotient: its multiplier then
  /// carries 24 significant bits instead of 31, and a product that lands near a rounding tie can round the
  /// other way (one output step).
  init(
    input1Scale: Float, input1ZeroPoint: Int32, input2Scale: Float, input2ZeroPoint: Int32,
    outputScale: Float, outputZeroPoint: Int32, range: ActivationRange = .int8,
    rounding: RoundingMode = .double, scalesInFloat: Bool = false
  ) throws(EngineError) {
    self.input1ZeroPoint = input1ZeroPoint
    self.input2ZeroPoint = input2ZeroPoint
    self.outputZeroPoint = outputZeroPoint
    self.range = range
    self.rounding = rounding
    let real =
      scalesInFloat
      ? Double(input1Scale * input2Scale / outputScale)
      : Double(input1Scale) * Double(input2Scale) / Double(outputScale)
    multiplier = try QuantizedMultiplier(real, rounding: rounding)
  }

  /// One output element (TFLite's `MulElementwise` body), clamped to the activation's range.
  @inline(__always)
  func value(_ x: Int32, _ y: Int32) -> Int32 {
    let product = (x &- input1ZeroPoint) &* (y &- input2ZeroPoint)
    let v = FixedPoint.multiply(product, by: multiplier, rounding) &+ outputZeroPoint
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
  /// TFLite's int8 MUL with NumPy broadcasting over NCHW shapes, as planned by `plan`.
  static func mul(
    _ plan: BroadcastPlan, a: UnsafePointer<Int8>, b: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
    parameters: MulParameters
  ) {
    broadcastRows(plan, a: a, b: b, output: output) { x, y in parameters.apply(x, y) }
  }

  /// TFLite's int16 MUL (zero points 0) with NumPy broadcasting, as planned by `plan`.
  static func mul(
    _ plan: BroadcastPlan, a: UnsafePointer<Int16>, b: UnsafePointer<Int16>,
    output: UnsafeMutablePointer<Int16>, parameters: MulParameters
  ) {
    broadcastRows(plan, a: a, b: b, output: output) { x, y in parameters.apply(x, y) }
  }
}
