import Foundation

/// The learning rate as a function of the optimizer step (counted from 0).
public enum LearningRateSchedule: Sendable, Equatable {
  /// The same rate at every step.
  case constant(Double)
  /// `rate * gamma^(step / every)`: multiplied by `gamma` every `every` steps.
  case step(rate: Double, every: Int, gamma: Double)
  /// A linear ramp from `rate / warmup` to `rate` over the first `warmup` steps, then a half cosine from
  /// `rate` down to `minimum` at step `total` (and `minimum` after it).
  case cosine(rate: Double, warmup: Int, total: Int, minimum: Double = 0)

  /// The learning rate of step `step`.
  public func rate(at step: Int) -> Double {
    switch self {
    case .constant(let rate):
      return rate
    case .step(let rate, let every, let gamma):
      return rate * pow(gamma, Double(step / max(every, 1)))
    case .cosine(let rate, let warmup, let total, let minimum):
      if step < warmup { return rate * Double(step + 1) / Double(warmup) }
      let span = max(total - warmup, 1)
      let progress = min(Double(step - warmup) / Double(span), 1)
      return minimum + (rate - minimum) * 0.5 * (1 + cos(Double.pi * progress))
    }
  }
}
