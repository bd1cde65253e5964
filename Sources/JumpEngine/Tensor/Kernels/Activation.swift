import Foundation

/// An elementwise activation that kernels apply to their results (alone, or fused after a convolution).
enum Activation: Equatable, Sendable {
  /// The identity.
  case none
  /// `max(x, 0)`.
  case relu
  /// Clamp to `[low, high]` (unbounded sides are `-inf` / `+inf`).
  case clip(low: Float, high: Float)
  /// `x * max(0, min(1, x / 6 + 1 / 2))`.
  case hardSwish
  /// `max(0, min(1, alpha * x + beta))`.
  case hardSigmoid(alpha: Float, beta: Float)
  /// `1 / (1 + exp(-x))`.
  case sigmoid

  /// The activation of a unary elementwise op, or nil for other ops.
  init?(_ op: Op) {
    switch op {
    case .relu: self = .relu
    case .clip(let low, let high): self = .clip(low: low ?? -.infinity, high: high ?? .infinity)
    case .hardSwish: self = .hardSwish
    case .hardSigmoid(let alpha, let beta): self = .hardSigmoid(alpha: alpha, beta: beta)
    case .sigmoid: self = .sigmoid
    default: return nil
    }
  }

  /// Applies the activation to `count` elements from `source` into `destination` (which may be `source`).
  func apply(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ count: Int) {
    switch self {
    case .none:
      if UnsafePointer(destination) != source { Kernels.copy(source, destination, count) }
    case .relu:
      for i in 0..<count {
        let v = source[i]
        destination[i] = v > 0 ? v : 0
      }
    case .clip(let low, let high):
      for i in 0..<count {
        let v = source[i]
        destination[i] = v < low ? low : (v > high ? high : v)
      }
    case .hardSwish:
      let sixth: Float = 1.0 / 6.0
      for i in 0..<count {
        let v = source[i]
        let t = v * sixth + 0.5
        destination[i] = v * (t < 0 ? 0 : (t > 1 ? 1 : t))
      }
    case .hardSigmoid(let alpha, let beta):
      for i in 0..<count {
        let t = alpha * source[i] + beta
        destination[i] = t < 0 ? 0 : (t > 1 ? 1 : t)
      }
    case .sigmoid:
      for i in 0..<count {
        let v = source[i]
        // exp of a non-positive argument never overflows; both branches are the same function.
        if v >= 0 {
          destination[i] = 1 / (1 + Foundation.exp(-v))
        } else {
          let e = Foundation.exp(v)
          destination[i] = e / (1 + e)
        }
      }
    }
  }

  /// `destination[i] = activation(source[i] + bias)`: a convolution's bias and activation in one pass, with
  /// the same two roundings as adding first and activating after.
  func apply(
    _ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ count: Int,
    adding bias: Float
  ) {
    switch self {
    case .none:
      for i in 0..<count { destination[i] = source[i] + bias }
    case .relu:
      for i in 0..<count {
        let v = source[i] + bias
        destination[i] = v > 0 ? v : 0
      }
    case .clip(let low, let high):
      for i in 0..<count {
        let v = source[i] + bias
        destination[i] = v < low ? low : (v > high ? high : v)
      }
    case .hardSwish:
      let sixth: Float = 1.0 / 6.0
      for i in 0..<count {
        let v = source[i] + bias
        let t = v * sixth + 0.5
        destination[i] = v * (t < 0 ? 0 : (t > 1 ? 1 : t))
      }
    case .hardSigmoid, .sigmoid:
      for i in 0..<count { destination[i] = source[i] + bias }
      applyInPlace(destination, count)
    }
  }

  /// Applies the activation in place on `count` elements.
  func applyInPlace(_ values: UnsafeMutablePointer<Float>, _ count: Int) {
    if self != .none { apply(UnsafePointer(values), values, count) }
  }
}

extension Kernels {
  /// Applies `activation` elementwise, split across `threads` by contiguous ranges.
  static func activate(
    _ activation: Activation, _ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
    count: Int, threads: Int
  ) {
    let workers = count >= 1 << 16 ? threads : 1
    parallelRanges(count, threads: workers) { range in
      activation.apply(source + range.lowerBound, destination + range.lowerBound, range.count)
    }
  }
}
