/// The parameters of TFLite's QUANTIZE between two integer tensors (requantization, e.g. int8 -> int8 with
/// new scale and zero point): one multiplier `double(s_in) / double(s_out)`.
struct RequantizeParameters: Equatable, Sendable {
  /// The input and output zero points.
  var inputZeroPoint: Int32, outputZeroPoint: Int32
  /// `s_in / s_out`.
  var multiplier: QuantizedMultiplier
  /// The device's rounding mode.
  var rounding: RoundingMode

  /// TFLite Micro's `PrepareQuantizeReference` for integer input and output.
  init(
    inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32,
    rounding: RoundingMode = .double
  ) throws(EngineError) {
    self.inputZeroPoint = inputZeroPoint
    self.outputZeroPoint = outputZeroPoint
    self.rounding = rounding
    multiplier = try QuantizedMultiplier(Double(inputScale) / Double(outputScale), rounding: rounding)
  }
}

extension IntegerKernels {
  /// TFLite's `reference_ops::Requantize` (QUANTIZE from an integer tensor): `clamp(M(x - zp_in) + zp_out)`
  /// to the output type's range. Works for int8 and int16 on either side.
  @_specialize(where Input == Int8, Output == Int8)
  @_specialize(where Input == Int16, Output == Int8)
  @_specialize(where Input == Int8, Output == Int16)
  @_specialize(where Input == Int16, Output == Int16)
  static func requantize<Input: FixedWidthInteger, Output: FixedWidthInteger>(
    _ input: UnsafePointer<Input>, count: Int, output: UnsafeMutablePointer<Output>,
    parameters: RequantizeParameters
  ) {
    let m = parameters.multiplier
    for i in 0..<count {
      let x = Int32(truncatingIfNeeded: input[i]) &- parameters.inputZeroPoint
      let v = FixedPoint.multiply(x, by: m, parameters.rounding) &+ parameters.outputZeroPoint
      output[i] = Output(clamping: v)
    }
  }

  /// TFLite's `AffineQuantize` (QUANTIZE from float): `clamp(round(x / scale) + zeroPoint)`, rounding half
  /// away from zero, the division in `float`. NaN becomes the zero point (TFLite leaves it undefined).
  @_specialize(where Output == Int8)
  @_specialize(where Output == Int16)
  static func quantize<Output: FixedWidthInteger>(
    _ input: UnsafePointer<Float>, count: Int, scale: Float, zeroPoint: Int32,
    output: UnsafeMutablePointer<Output>
  ) {
    let bound = Float(1 << 24)
    for i in 0..<count {
      var r = (input[i] / scale).rounded(.toNearestOrAwayFromZero)
      if r.isNaN { r = 0 }
      r = r < -bound ? -bound : (r > bound ? bound : r)
      output[i] = Output(clamping: Int32(r) &+ zeroPoint)
    }
  }

  /// TFLite's `Dequantize`: `float(double(scale) * (x - zeroPoint))`.
  @_specialize(where Input == Int8)
  @_specialize(where Input == Int16)
  static func dequantize<Input: FixedWidthInteger>(
    _ input: UnsafePointer<Input>, count: Int, scale: Float, zeroPoint: Int32,
    output: UnsafeMutablePointer<Float>
  ) {
    let s = Double(scale)
    for i in 0..<count {
      output[i] = Float(s * Double(Int32(truncatingIfNeeded: input[i]) &- zeroPoint))
    }
  }
}
