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
              for row in 0..<plan.rows {
                let (rowA, rowB) = plan.offsets(ofRow: row)
                for i in 0..<plan.inner {
                  let o = row * plan.inner + i
                  let ia = rowA + i * plan.innerStrideA
                  let ib = rowB + i * plan.innerStrideB
                  let d = g[o]
                  switch op {
                  case .add:
                    if needA { ga[ia] += d }
                    if needB { gb[ib] += d }
                  case .sub:
                    if needA { ga[ia] += d }
                    if needB { gb[ib] -= d }
                  case .mul:
                    if needA { ga[ia] += d * pb[ib] }
                    if needB { gb[ib] += d * pa[ia] }
                  default:
                    let q = d / pb[ib]
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
