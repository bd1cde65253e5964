/// Forward and backward of Gemm (`Y = alpha * op(A) * op(B) + beta * C`), every product through SGEMM.
enum GemmRule {
  /// `(m, n, k)` of a Gemm on stored shapes `a` and `b`.
  static func sizes(_ attributes: GemmAttributes, _ a: [Int], _ b: [Int]) -> (Int, Int, Int) {
    (attributes.transA ? a[1] : a[0], attributes.transB ? b[0] : b[1], attributes.transA ? a[0] : a[1])
  }

  /// The product through the float executor's kernel.
  static func forward(
    _ attributes: GemmAttributes, _ inputs: [TrainValue], _ outputShape: [Int], threads: Int
  ) -> TrainValue {
    let (m, n, k) = sizes(attributes, inputs[0].shape, inputs[1].shape)
    var y = TrainValue.zeros(outputShape)
    let c = inputs.count > 2 ? inputs[2] : nil
    inputs[0].values.withPointer { a in
      inputs[1].values.withPointer { b in
        (c?.values ?? []).withPointer { pc in
          y.values.withMutablePointer {
            Kernels.gemm(
              attributes, m: m, n: n, k: k, a: a, b: b, c: c == nil ? nil : pc, cShape: c?.shape ?? [],
              output: $0, threads: threads)
          }
        }
      }
    }
    return y
  }

  /// `dop(A) = alpha * dY * op(B)^T` and `dop(B) = alpha * op(A)^T * dY`, each stored transposed when its
  /// operand is, and `dC = beta * dY` summed over C's broadcast axes.
  static func backward(_ attributes: GemmAttributes, _ context: BackwardContext) -> [TrainValue?] {
    let (a, b) = (context.inputs[0], context.inputs[1])
    let (m, n, k) = sizes(attributes, a.shape, b.shape)
    let alpha = attributes.alpha
    let (transA, transB) = (attributes.transA, attributes.transB)
    var result: [TrainValue?] = Array(repeating: nil, count: context.inputs.count)
    Kernels.setBLASThreads(context.threads)
    context.outputGradient.values.withPointer { dy in
      a.values.withPointer { pa in
        b.values.withPointer { pb in
          if context.needs(0) {
            var da = TrainValue.zeros(a.shape)
            da.values.withMutablePointer { d in
              if transA {
                // dA (k x m) = alpha * op(B) * dY^T
                Kernels.sgemm(
                  transA: transB, transB: true, m: k, n: m, k: n, alpha: alpha, a: pb, lda: b.shape[1], b: dy,
                  ldb: n, beta: 0, c: d, ldc: m)
              } else {
                // dA (m x k) = alpha * dY * op(B)^T
                Kernels.sgemm(
                  transA: false, transB: !transB, m: m, n: k, k: n, alpha: alpha, a: dy, lda: n, b: pb,
                  ldb: b.shape[1], beta: 0, c: d, ldc: k)
              }
            }
            result[0] = da
          }
          if context.needs(1) {
            var db = TrainValue.zeros(b.shape)
            db.values.withMutablePointer { d in
              if transB {
                // dB (n x k) = alpha * dY^T * op(A)
                Kernels.sgemm(
                  transA: true, transB: transA, m: n, n: k, k: m, alpha: alpha, a: dy, lda: n, b: pa,
                  ldb: a.shape[1], beta: 0, c: d, ldc: k)
              } else {
                // dB (k x n) = alpha * op(A)^T * dY
                Kernels.sgemm(
                  transA: !transA, transB: false, m: k, n: n, k: m, alpha: alpha, a: pa, lda: a.shape[1],
                  b: dy, ldb: n, beta: 0, c: d, ldc: n)
              }
            }
            result[1] = db
          }
        }
      }
    }
    if context.inputs.count > 2, context.needs(2) {
      var dc = BinaryRule.reduce(context.outputGradient, to: context.inputs[2].shape)
      for i in 0..<dc.count { dc.values[i] *= attributes.beta }
      result[2] = dc
    }
    return result
  }
}

/// Forward and backward of NumPy-style MatMul (1-D operands promoted, batch axes broadcast).
enum MatMulRule {
  /// The product through the float executor's kernel.
  static func forward(_ inputs: [TrainValue], _ outputShape: [Int], threads: Int) -> TrainValue {
    var y = TrainValue.zeros(outputShape)
    let (a, b) = (inputs[0], inputs[1])
    a.values.withPointer { pa in
      b.values.withPointer { pb in
        y.values.withMutablePointer {
          Kernels.matMul(a: pa, aShape: a.shape, b: pb, bShape: b.shape, output: $0, threads: threads)
        }
      }
    }
    return y
  }

  /// Per batch matrix: `dA += dY * B^T` and `dB += A^T * dY`, summed where a batch axis was broadcast.
  static func backward(_ context: BackwardContext) -> [TrainValue?] {
    let (a, b) = (context.inputs[0], context.inputs[1])
    let m = a.shape.count == 1 ? 1 : a.shape[a.shape.count - 2]
    let k = a.shape[a.shape.count - 1]
    let n = b.shape.count == 1 ? 1 : b.shape[b.shape.count - 1]
    let aBatch = Array(a.shape.dropLast(a.shape.count == 1 ? 1 : 2))
    let bBatch = Array(b.shape.dropLast(b.shape.count == 1 ? 1 : 2))
    guard let plan = BroadcastPlan(aBatch, bBatch) else { return [nil, nil] }
    let (needA, needB) = (context.needs(0), context.needs(1))
    var da = TrainValue.zeros(needA ? a.shape : [0])
    var db = TrainValue.zeros(needB ? b.shape : [0])
    Kernels.setBLASThreads(context.threads)
    context.outputGradient.values.withPointer { dy in
      a.values.withPointer { pa in
        b.values.withPointer { pb in
          da.values.withMutablePointer { ga in
            db.values.withMutablePointer { gb in
              for t in 0..<plan.count {
                let row = t / plan.inner
                let i = t - row * plan.inner
                let (rowA, rowB) = plan.offsets(ofRow: row)
                let ma = (rowA + i * plan.innerStrideA) * m * k
                let mb = (rowB + i * plan.innerStrideB) * k * n
                let g = dy + t * m * n
                if needA {
                  Kernels.sgemm(
                    transA: false, transB: true, m: m, n: k, k: n, alpha: 1, a: g, lda: n, b: pb + mb, ldb: n,
                    beta: 1, c: ga + ma, ldc: k)
                }
                if needB {
                  Kernels.sgemm(
                    transA: true, transB: false, m: k, n: n, k: m, alpha: 1, a: pa + ma, lda: k, b: g, ldb: n,
                    beta: 1, c: gb + mb, ldc: n)
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
