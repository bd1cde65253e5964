/// A fused activation as TFLite stores it in an op's options (`ActivationFunctionType`).
public enum FusedActivation: String, Sendable, Equatable, CaseIterable {
  /// No activation.
  case none
  /// `max(x, 0)`.
  case relu
  /// `min(max(x, 0), 6)`.
  case relu6
  /// `min(max(x, -1), 1)` (`RELU_N1_TO_1`).
  case reluN1To1
}

/// The integer clamp an integer kernel applies after requantizing: a fused activation becomes a range.
///
/// TFLite never evaluates a fused ReLU/ReLU6 on real values; it clamps the quantized output to
/// `[max(qmin, Q(low)), min(qmax, Q(high))]` with `Q(v) = zeroPoint + round(v / scale)` computed in `float`
/// (`CalculateActivationRangeQuantized`). The same range must be used here for the outputs to match.
public struct ActivationRange: Equatable, Hashable, Sendable {
  /// The smallest output value.
  public var min: Int32
  /// The largest output value.
  public var max: Int32

  /// A range from its bounds.
  public init(min: Int32, max: Int32) {
    self.min = min
    self.max = max
  }

  /// The full int8 range `[-128, 127]` (no activation).
  public static let int8 = ActivationRange(min: Int32(Int8.min), max: Int32(Int8.max))
  /// The full int16 range `[-32768, 32767]` (no activation, 16x8 mode).
  public static let int16 = ActivationRange(min: Int32(Int16.min), max: Int32(Int16.max))

  /// TFLite's `CalculateActivationRangeQuantized` for an output of `bits` bits (8 or 16) with `scale` and
  /// `zeroPoint`.
  ///
  /// Throws when `Q(v)` does not fit in int32 (TFLite fails `Prepare` in that case) or the scale is not a
  /// positive finite number.
  public init(
    _ activation: FusedActivation, scale: Float, zeroPoint: Int32, bits: Int = 8
  ) throws(EngineError) {
    let full = bits == 16 ? ActivationRange.int16 : ActivationRange.int8
    guard scale > 0, scale.isFinite else {
      throw EngineError(.invalidModel, "output scale \(scale) must be positive and finite")
    }
    func quantize(_ value: Float) throws(EngineError) -> Int32 {
      let rounded = (value / scale).rounded(.toNearestOrAwayFromZero)
      guard rounded >= Float(Int32.min), rounded <= Float(Int32.max), let q = Int32(exactly: rounded) else {
        throw EngineError(.invalidModel, "activation bound \(value) overflows int32 at scale \(scale)")
      }
      return zeroPoint &+ q
    }
    switch activation {
    case .none:
      self = full
    case .relu:
      self.init(min: Swift.max(full.min, try quantize(0)), max: full.max)
    case .relu6:
      self.init(min: Swift.max(full.min, try quantize(0)), max: Swift.min(full.max, try quantize(6)))
    case .reluN1To1:
      self.init(min: Swift.max(full.min, try quantize(-1)), max: Swift.min(full.max, try quantize(1)))
    }
  }

  /// Clamps `value` into the range.
  @inline(__always)
  func clamp(_ value: Int32) -> Int32 {
    value < min ? min : (value > max ? max : value)
  }
}
