/// The parameters of TFLite Micro's int8 MEAN (`reference_ops::QuantizedMeanOrSum`).
struct MeanParameters: Equatable, Sendable {
  /// The input and output zero points.
  var inputZeroPoint: Int32, outputZeroPoint: Int32
  /// `s_in / s_out` (the kernel folds `1 / count` into it).
  var multiplier: QuantizedMultiplier
  /// The device's rounding mode.
  var rounding: RoundingMode

  /// TFLite Micro's `PrepareMeanOrSumHelper` for int8: `QuantizeMultiplier(double(s_in) / double(s_out))`.
  init(
    inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32,
    rounding: RoundingMode = .double
  ) throws(EngineError) {
    self.inputZeroPoint = inputZeroPoint
    self.outputZeroPoint = outputZeroPoint
    self.rounding = rounding
    multiplier = try QuantizedMultiplier(Double(inputScale) / Double(outputScale), rounding: rounding)
  }

  /// The multiplier with `1 / count` folded in, as the kernel does it: `shift = floor(log2(count))` capped
  /// at 32 and at `31 + shift`, `multiplier = (multiplier << shift) / count` (truncating), and the shift
  /// lowered by as much.
  func folded(count: Int) -> QuantizedMultiplier {
    guard count > 0 else { return multiplier }
    var shift = 63 - UInt64(count).leadingZeroBitCount
    shift = min(shift, 32, 31 + multiplier.shift)
    let scaled = (Int64(multiplier.multiplier) << shift) / Int64(count)
    return QuantizedMultiplier(multiplier: Int32(truncatingIfNeeded: scaled), shift: multiplier.shift - shift)
  }
}

extension IntegerKernels {
  /// TFLite Micro's int8 or int16 MEAN over the middle axis of an `outer x reduced x inner` view (`N*C x H*W x 1` for
  /// a mean over H and W in NCHW; any set of adjacent axes has this form).
  ///
  /// This is the kernel TFLite Micro runs for every int8 and int16 MEAN (`QuantizedMeanOrSum`): raw values
  /// are summed in int32, `zeroPoint * count` is subtracted, and the sum is requantized by `s_in / s_out /
  /// count` folded into one multiplier. No fused activation; the output is clamped to the element type. (Desktop TFLite's
  /// optimized MEAN over H,W takes a different path that can differ by one step.)
  @_specialize(where Element == Int8)
  @_specialize(where Element == Int16)
  static func mean<Element: FixedWidthInteger & SignedInteger>(
    _ input: UnsafePointer<Element>, outer: Int, reduced: Int, inner: Int,
    output: UnsafeMutablePointer<Element>, parameters: MeanParameters
  ) {
    let m = parameters.folded(count: reduced)
    let offset = parameters.inputZeroPoint &* Int32(truncatingIfNeeded: reduced)
    for o in 0..<outer {
      for i in 0..<inner {
        let source = input + o * reduced * inner + i
        var sum: Int32 = 0
        if inner == 1 {
          for r in 0..<reduced { sum &+= Int32(source[r]) }
        } else {
          for r in 0..<reduced { sum &+= Int32(source[r * inner]) }
        }
        let v: Int32
        if reduced == 0 {
          v = 0
        } else {
          v = FixedPoint.multiply(sum &- offset, by: m, parameters.rounding) &+ parameters.outputZeroPoint
        }
        output[o * inner + i] = Element(clamping: v)
      }
    }
  }
}
