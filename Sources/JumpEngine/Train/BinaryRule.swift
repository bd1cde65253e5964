/// Forward and backward of the broadcasting arithmetic ops (Add, Sub, Mul, Div).
enum BinaryRule {
  /// `a op b` through the float executor's kernel.
  static func forward(
    _ node: Node, _ inputs: [TrainValue], _ outputShape: [Int], threads: Int
  ) throws(EngineError) -> TrainValue {
    let (a, b) = (inputs[0], inputs[1])
    guard let op = BinaryOperator(node.op), let plan = BroadcastPlan(a.shape, b.shape) else {
      throw EngineError(
        .invalidModel,
        "node '\(node.name)' (\(node.op.onnxName)): cannot broadcast \(a.shape) with \(b.shape)")
    }
    var y = TrainValue.zeros(outputShape)
    a.values.withPointer { pa in
      b.values.withPointer { pb in
        y.values.withMutablePointer { Kernels.binary(op, plan, a: pa, b: pb, output: $0, threads: threads) }
      }
    }
    return y
  }

  /// Each operand's gradient, summed over the axes it was broadcast along.
  static func backward(_ op: Op, _ context: BackwardContext) -> [TrainValue?] {
    let (a, b) = (context.inputs[0], context.inputs[1])
    guard let plan = BroadcastPlan(a.shape, b.shape) else { return [nil, nil] }
    let (needA, needB) = (context.needs(0), context.needs(1))
    var da = TrainValue.zeros(needA ? a.shape : [])
    var db = TrainValue.zeros(needB ? b.shape : [])
    context.outputGradient.values.withPointer { g in
      a.values.withPointer { pa in
        b.values.withPointer { pb in
          da.values.withMutablePointer { ga in
            db.values.withMutablePointer { gb in
              let (n, sa, sb) = (plan.inner, plan.innerStrideA, plan.innerStrideB)
              for row in 0..<plan.rows {
                let (rowA, rowB) = plan.offsets(ofRow: row)
                let d = g + row * n
                switch op {
                case .add, .sub:
                  if needA { accumulate(ga + rowA, sa, d, nil, 0, n, negate: false) }
                  if needB { accumulate(gb + rowB, sb, d, nil, 0, n, negate: op == .sub) }
                case .mul:
                  if needA { accumulate(ga + rowA, sa, d, pb + rowB, sb, n, negate: false) }
                  if needB { accumulate(gb + rowB, sb, d, pa + rowA, sa, n, negate: false) }
                default:
                  for i in 0..<n {
                    let (ia, ib) = (rowA + i * sa, rowB + i * sb)
                    let q = d[i] / pb[ib]
                    if needA { ga[ia] += q }
                    if needB { gb[ib] -= q * pa[ia] / pb[ib] }
                  }
                }
              }
            }
          }
        }
      }
    }
    return [needA ? da : nil, needB ? db : nil]
  }
}

extension BinaryRule {
  /// One row of an operand's gradient: `target[i * targetStride] += d[i] * factor[i * factorStride]` (the
  /// factor is 1 when nil; `-=` with `negate`), in order of `i`, so a broadcast (stride 0) target sums its
  /// terms in the same order as an elementwise loop would. Each stride combination gets its own loop so
  /// the contiguous ones vectorize.
  @inline(__always)
  static func accumulate(
    _ target: UnsafeMutablePointer<Float>, _ targetStride: Int, _ d: UnsafePointer<Float>,
    _ factor: UnsafePointer<Float>?, _ factorStride: Int, _ n: Int, negate: Bool
  ) {
    if targetStride == 0 {
      var sum = target[0]
      if let factor {
        if factorStride == 0 {
          let f = factor[0]
          for i in 0..<n { sum += d[i] * f }
        } else {
          for i in 0..<n { sum += d[i] * factor[i] }
        }
      } else if negate {
        for i in 0..<n { sum -= d[i] }
      } else {
        for i in 0..<n { sum += d[i] }
      }
      target[0] = sum
      return
    }
    if let factor {
      if factorStride == 0 {
        let f = factor[0]
        for i in 0..<n { target[i] += d[i] * f }
      } else {
        for i in 0..<n { target[i] += d[i] * factor[i] }
      }
    } else if negate {
      for i in 0..<n { target[i] -= d[i] }
    } else {
      for i in 0..<n { target[i] += d[i] }
    }
  }

  /// `gradient` (of the broadcast shape) summed down to `shape`, the shape of an operand that was
  /// broadcast to it.
  static func reduce(_ gradient: TrainValue, to shape: [Int]) -> TrainValue {
    var result = TrainValue.zeros(shape)
    guard let plan = BroadcastPlan(gradient.shape, shape) else { return result }
    gradient.values.withPointer { g in
      result.values.withMutablePointer { r in
        for row in 0..<plan.rows {
          let (rowG, rowR) = plan.offsets(ofRow: row)
          for i in 0..<plan.inner {
            r[rowR + i * plan.innerStrideB] += g[rowG + i * plan.innerStrideA]
          }
        }
      }
    }
    return result
  }
}
