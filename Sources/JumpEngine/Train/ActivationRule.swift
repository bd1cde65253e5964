/// Forward and backward of the elementwise activations (Relu, Clip, HardSwish, HardSigmoid, Sigmoid).
enum ActivationRule {
  /// The activation of `x` through the float executor's kernel.
  static func forward(_ op: Op, _ x: TrainValue, threads: Int) -> TrainValue {
    var y = TrainValue.zeros(x.shape)
    let activation = Activation(op) ?? .none
    x.values.withPointer { source in
      y.values.withMutablePointer { destination in
        Kernels.activate(activation, source, destination, count: x.count, threads: threads)
      }
    }
    return y
  }

  /// `dx = dy * f'(x)`. Where the derivative jumps (at clip bounds, at 0 for Relu) it takes the value
  /// PyTorch takes: 0 at the bound itself.
  static func backward(_ op: Op, _ context: BackwardContext) -> TrainValue? {
    guard context.needs(0) else { return nil }
    let x = context.inputs[0].values
    let y = context.output.values
    // A fresh (reused) array rather than the output gradient mutated in place: that one is still shared,
    // so writing it would copy it first.
    var dx = TrainValue.unfilled(context.outputGradient.shape)
    dx.values.withMutablePointer { g in
      context.outputGradient.values.withPointer { d in
        x.withPointer { x in
          y.withPointer { y in
            let n = context.output.count
            switch op {
            case .relu:
              // Selects rather than branches, so the loops vectorize.
              for i in 0..<n { g[i] = x[i] > 0 ? d[i] : 0 }
            case .clip(let low, let high):
              let lo = low ?? -.infinity
              let hi = high ?? .infinity
              for i in 0..<n {
                let v = x[i]
                // Nested selects, not `&&`, which would branch and keep the loop scalar.
                g[i] = v > lo ? (v < hi ? d[i] : 0) : 0
              }
            case .hardSwish:
              for i in 0..<n {
                let v = x[i]
                g[i] = d[i] * (v <= -3 ? 0 : (v >= 3 ? 1 : (2 * v + 3) / 6))
              }
            case .hardSigmoid(let alpha, let beta):
              for i in 0..<n {
                let t = alpha * x[i] + beta
                g[i] = d[i] * (t > 0 ? (t < 1 ? alpha : 0) : 0)
              }
            case .sigmoid:
              for i in 0..<n { g[i] = d[i] * (y[i] * (1 - y[i])) }
            default:
              Kernels.copy(d, g, n)
            }
          }
        }
      }
    }
    return dx
  }
}
