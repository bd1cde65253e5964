import Foundation

/// The update rule an `Optimizer` applies.
public enum OptimizerMethod: Sendable, Equatable {
  /// Stochastic gradient descent with heavy-ball momentum (0 for none), optionally Nesterov's.
  case sgd(momentum: Float = 0, nesterov: Bool = false)
  /// Adam (Kingma and Ba); weight decay is an L2 term added to the gradient.
  case adam(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8)
  /// AdamW (Loshchilov and Hutter): Adam with weight decay applied to the weights directly.
  case adamW(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8)
}

/// Updates a `TrainableGraph`'s parameters from gradients, keeping per-parameter state between steps.
///
/// The rules follow PyTorch's `torch.optim` formulas, so learning rates and decays carry over: SGD adds
/// `weightDecay * p` to the gradient, keeps `buf = momentum * buf + g` and steps by `buf` (or by
/// `g + momentum * buf` with Nesterov); Adam steps by `lr * m̂ / (sqrt(v̂) + eps)` with bias-corrected
/// moments; AdamW first shrinks each weight by `1 - lr * weightDecay`.
public struct Optimizer: Sendable {
  /// The update rule.
  public let method: OptimizerMethod
  /// The weight decay factor (0 for none).
  public let weightDecay: Float
  /// The number of steps taken.
  public private(set) var stepCount = 0
  /// Momentum buffers (SGD) or first moments (Adam), by parameter.
  private var first: [String: [Float]] = [:]
  /// Second moments (Adam), by parameter.
  private var second: [String: [Float]] = [:]

  /// Creates an optimizer with no state.
  public init(_ method: OptimizerMethod, weightDecay: Float = 0) {
    self.method = method
    self.weightDecay = weightDecay
  }

  /// Applies one update with `learningRate` to every parameter of `graph` that has a gradient.
  public mutating func step(_ graph: inout TrainableGraph, gradients: Gradients, learningRate: Float) {
    stepCount += 1
    for name in graph.parameterNames {
      guard let gradient = gradients.values[name], graph.constants[name]?.count == gradient.count else {
        continue
      }
      var weights = graph.constants.removeValue(forKey: name) ?? []
      switch method {
      case .sgd(let momentum, let nesterov):
        sgd(&weights, gradient, name, learningRate, momentum: momentum, nesterov: nesterov)
      case .adam(let beta1, let beta2, let epsilon):
        adam(&weights, gradient, name, learningRate, beta1, beta2, epsilon, decoupled: false)
      case .adamW(let beta1, let beta2, let epsilon):
        adam(&weights, gradient, name, learningRate, beta1, beta2, epsilon, decoupled: true)
      }
      graph.constants[name] = weights
    }
  }

  private mutating func sgd(
    _ weights: inout [Float], _ gradient: [Float], _ name: String, _ lr: Float, momentum: Float,
    nesterov: Bool
  ) {
    let decay = weightDecay
    var buffer = first.removeValue(forKey: name) ?? []
    let fresh = buffer.isEmpty
    if momentum != 0 && fresh { buffer = [Float](repeating: 0, count: weights.count) }
    weights.withMutablePointer { p in
      buffer.withMutablePointer { b in
        for i in 0..<gradient.count {
          var g = gradient[i] + decay * p[i]
          if momentum != 0 {
            // PyTorch starts the buffer at the first gradient rather than decaying from zero.
            b[i] = fresh ? g : momentum * b[i] + g
            g = nesterov ? g + momentum * b[i] : b[i]
          }
          p[i] -= lr * g
        }
      }
    }
    if momentum != 0 { first[name] = buffer }
  }

  private mutating func adam(
    _ weights: inout [Float], _ gradient: [Float], _ name: String, _ lr: Float, _ beta1: Float,
    _ beta2: Float, _ epsilon: Float, decoupled: Bool
  ) {
    var m = first.removeValue(forKey: name) ?? [Float](repeating: 0, count: weights.count)
    var v = second.removeValue(forKey: name) ?? [Float](repeating: 0, count: weights.count)
    let t = Double(stepCount)
    let correction1 = Float(1 - pow(Double(beta1), t))
    let correction2 = Float(1 - pow(Double(beta2), t))
    let decay = weightDecay
    weights.withMutablePointer { p in
      m.withMutablePointer { m in
        v.withMutablePointer { v in
          for i in 0..<gradient.count {
            var g = gradient[i]
            if decoupled {
              p[i] *= 1 - lr * decay
            } else {
              g += decay * p[i]
            }
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            let mHat = m[i] / correction1
            let vHat = v[i] / correction2
            p[i] -= lr * mHat / (vHat.squareRoot() + epsilon)
          }
        }
      }
    }
    first[name] = m
    second[name] = v
  }
}
