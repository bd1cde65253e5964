import Foundation

/// The parameters of TFLite Micro's int16 LOGISTIC (`CalculateArithmeticOpDataLogistic` for int16): input
/// and output zero points 0, output scale 1/32768.
///
/// The kernel rescales the input so that one unit is 1/12288 (`s_in * 3 * 4096`, a 15-bit multiplier and a
/// right shift), then interpolates `SigmoidTable` linearly between points 1/24 apart (512 units) on the
/// input's magnitude and mirrors negative inputs (`σ(-x) = 1 - σ(x)`).
struct Logistic16Parameters: Equatable, Sendable {
  /// The integer factor of the input rescaling (at most 32767).
  var inputMultiplier: Int32
  /// The right shift after the multiplication (rounded half up).
  var inputRightShift: Int32

  /// TFLite Micro's prepare step for int16 input at `inputScale`.
  init(inputScale: Float) throws(EngineError) {
    guard inputScale > 0, inputScale.isFinite else {
      throw EngineError(.invalidModel, "LOGISTIC input scale \(inputScale) must be positive and finite")
    }
    // A scale of exactly 2^-12 (as `CheckedLog2` decides it, in float) is multiplied by 3 with no shift.
    let log2 = Foundation.log(inputScale) * (1 / Foundation.log(Float(2)))
    let roundedLog2 = log2.rounded(.toNearestOrAwayFromZero)
    if abs(log2 - roundedLog2) < 1e-3, Int(roundedLog2) == -12 {
      inputMultiplier = 3
      inputRightShift = 0
      return
    }
    // Otherwise the real factor is doubled until it exceeds 32767 / 2 and truncated to an integer.
    var multiplier = Double(inputScale) * 4096 * 3
    var shift: Int32 = 0
    while multiplier <= 32767.0 / 2.0 && shift <= 30 {
      shift += 1
      multiplier *= 2
    }
    guard multiplier <= 32767 else {
      throw EngineError(
        .invalidModel, "int16 LOGISTIC input scale \(inputScale) is too large (at most 32767 / 12288)")
    }
    inputMultiplier = Int32(multiplier)
    inputRightShift = shift
  }

  /// One output element in Q0.15 (TFLite's `reference_integer_ops::Logistic` for int16).
  @inline(__always)
  func apply(_ x: Int16) -> Int16 {
    let half: Int32 = inputRightShift > 0 ? 1 << (inputRightShift - 1) : 0
    let scaled = (Int32(x) * inputMultiplier + half) >> inputRightShift
    let magnitude = scaled.magnitude
    let segment = Int(magnitude >> 9)
    // σ(|x|) in units of 2^-25 (Q0.16 table values with 9 fraction bits of interpolation).
    let positive: UInt32
    if segment >= 255 {
      positive = 0x7FFF << 10
    } else {
      let low = UInt32(SigmoidTable.values[segment])
      let high = UInt32(SigmoidTable.values[segment + 1])
      positive = (low << 9) + (magnitude & 0x1FF) * (high - low)
    }
    // Mirrored for negative inputs; both round to Q0.15 (negative ties downwards, as the C++ does).
    let result = scaled >= 0 ? positive + (1 << 9) : (1 << 25) - positive + (1 << 9) - 1
    return Int16(truncatingIfNeeded: result >> 10)
  }
}

/// TFLite's shared int16 sigmoid/tanh table: `σ(i / 24)` in Q0.16 for `i` in 0..<256 (`sigmoid_table_uint16`).
///
/// Each point is corrected by half the error linear interpolation makes at the middle of the segment that
/// starts there, `σ(x) - (lerp(x + ½h) - σ(x + ½h)) / 2`, which splits the error of the chord between the
/// ends and the middle of the segment (σ is concave on x ≥ 0, so the chord lies below it). The last point
/// is the saturation level 0xFFFF the kernel returns from there on. Rebuilt from the formula, it equals
/// TFLite's table in every entry.
enum SigmoidTable {
  /// The 256 entries.
  static let values: [UInt16] = (0..<256).map { i in
    if i == 255 { return UInt16.max }
    func scaled(_ x: Double) -> Double { 65536 / (1 + Foundation.exp(-x)) }
    let start = scaled(Double(i) / 24)
    let end = scaled(Double(i + 1) / 24)
    let middle = scaled((Double(i) + 0.5) / 24)
    let corrected = start - ((start + end) / 2 - middle) / 2
    return UInt16(min(corrected.rounded(), 65535))
  }
}

extension IntegerKernels {
  /// TFLite Micro's int16 LOGISTIC over `count` elements (output scale 1/32768, zero point 0).
  static func logistic(
    _ input: UnsafePointer<Int16>, count: Int, output: UnsafeMutablePointer<Int16>,
    parameters: Logistic16Parameters
  ) {
    for i in 0..<count { output[i] = parameters.apply(input[i]) }
  }
}
