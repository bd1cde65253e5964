/// A real multiplier as TFLite stores it: a Q31 significand and a power-of-two exponent.
///
/// The real value is `multiplier * 2^(shift - 31)`. Integer kernels rescale every int32 accumulator by one of
/// these, so the way a real scale ratio becomes `(multiplier, shift)` decides the device's outputs and must be
/// TFLite's `QuantizeMultiplier`, including its edge cases.
public struct QuantizedMultiplier: Equatable, Hashable, Sendable, CustomStringConvertible {
  /// The Q31 significand, in `[2^30, 2^31)` for positive multipliers (0 when the multiplier is 0 or was
  /// flushed).
  public var multiplier: Int32
  /// The power-of-two exponent: positive shifts left, negative shifts right.
  public var shift: Int

  /// The multiplier 0.
  public static let zero = QuantizedMultiplier(multiplier: 0, shift: 0)

  /// A multiplier from its stored parts.
  public init(multiplier: Int32, shift: Int) {
    self.multiplier = multiplier
    self.shift = shift
  }

  /// TFLite's `QuantizeMultiplier(double)`.
  ///
  /// `frexp` splits `real` into `q * 2^shift` with `q` in `[0.5, 1)`; `q * 2^31` is rounded half away from
  /// zero. When that rounds up to exactly `2^31` the significand is halved and the shift incremented. A shift
  /// below -31 (multipliers under about `2^-32`) flushes to zero, as does `real == 0`. With `.single`
  /// rounding a shift above 30 saturates to `(2^31 - 1, 30)`, as `TFLITE_SINGLE_ROUNDING` builds do.
  /// Throws for a non-finite `real` (a scale of 0 or infinity somewhere in the model).
  public init(_ real: Double, rounding: RoundingMode = .double) throws(EngineError) {
    guard real.isFinite else {
      throw EngineError(.invalidModel, "requantization multiplier \(real) is not finite")
    }
    if real == 0 {
      self = .zero
      return
    }
    let (fraction, exponent) = QuantizedMultiplier.frexp(real)
    var fixed = Int64((fraction * Double(Int64(1) << 31)).rounded(.toNearestOrAwayFromZero))
    var shift = exponent
    if fixed == Int64(1) << 31 {
      fixed /= 2
      shift += 1
    }
    if shift < -31 {
      shift = 0
      fixed = 0
    }
    if rounding == .single && shift > 30 {
      shift = 30
      fixed = (Int64(1) << 31) - 1
    }
    self.init(multiplier: Int32(truncatingIfNeeded: fixed), shift: shift)
  }

  /// C's `frexp` for finite non-zero `x`: `x = fraction * 2^exponent` with `|fraction|` in `[0.5, 1)` and the
  /// sign of `x`. (Foundation's Swift overlay of `frexp` drops the sign of negative inputs on Linux.)
  static func frexp(_ x: Double) -> (fraction: Double, exponent: Int) {
    let magnitude = x.magnitude
    let fraction = magnitude.significand / 2
    return (x < 0 ? -fraction : fraction, Int(magnitude.exponent) + 1)
  }

  /// The real value `multiplier * 2^(shift - 31)`.
  public var real: Double { Double(multiplier) * Double(sign: .plus, exponent: shift - 31, significand: 1) }

  /// `x * real`, rounded the way TFLite's `MultiplyByQuantizedMultiplier` does in `mode`.
  @inline(__always)
  public func apply(_ x: Int32, rounding mode: RoundingMode = .double) -> Int32 {
    FixedPoint.multiplyByQuantizedMultiplier(x, multiplier, shift, mode)
  }

  /// `multiplier` / `shift`, for reports.
  public var description: String { "\(multiplier) * 2^(\(shift) - 31)" }
}
