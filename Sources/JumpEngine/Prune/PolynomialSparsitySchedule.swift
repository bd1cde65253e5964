/// Zhu and Gupta's gradual pruning schedule (arXiv:1710.01878, REFERENCES §5): sparsity rises from
/// `initial` to `final` along a cubic, fast at first while many weights are redundant, then slowly so the
/// network can recover:
///
/// `s_t = s_f + (s_i − s_f) · (1 − (t − t0) / (end − t0))^3`
///
/// The mask is recomputed every `frequency` steps from `begin` (TensorFlow Model Optimization's
/// `PolynomialDecay` with power 3); between updates the sparsity of the last update holds. From `end` on it
/// is `final`.
public struct PolynomialSparsitySchedule: Sendable, Equatable {
  /// The sparsity before `begin`.
  public var initial: Double
  /// The sparsity from `end` on.
  public var final: Double
  /// The first step of the ramp.
  public var begin: Int
  /// The step at which `final` is reached.
  public var end: Int
  /// Steps between mask updates.
  public var frequency: Int

  /// Creates a schedule; `end` is at least `begin + 1` and `frequency` at least 1.
  public init(initial: Double = 0, final: Double, begin: Int = 0, end: Int, frequency: Int = 1) {
    self.initial = initial
    self.final = final
    self.begin = begin
    self.end = max(end, begin + 1)
    self.frequency = max(frequency, 1)
  }

  /// The schedule for fine-tuning of `steps` optimizer steps: the ramp takes the first three quarters,
  /// leaving the last quarter to recover at the final sparsity, with about 16 mask updates.
  public static func fineTuning(final: Double, steps: Int) -> PolynomialSparsitySchedule {
    let end = max(1, (3 * steps) / 4)
    return PolynomialSparsitySchedule(final: final, end: end, frequency: max(1, end / 16))
  }

  /// The sparsity in force after `step` optimizer steps.
  public func sparsity(at step: Int) -> Double {
    if step < begin { return initial }
    if step >= end { return final }
    let updated = begin + ((step - begin) / frequency) * frequency
    let progress = Double(updated - begin) / Double(end - begin)
    let remaining = 1 - progress
    return final + (initial - final) * remaining * remaining * remaining
  }

  /// Whether the mask is recomputed after `step` optimizer steps.
  public func updatesMask(at step: Int) -> Bool {
    guard step >= begin, step <= end else { return false }
    return step == end || (step - begin) % frequency == 0
  }
}
