extension Kernels {
  /// `output = a op b` with NumPy broadcasting, as planned by `plan`; rows are split across threads.
  static func binary(
    _ op: BinaryOperator, _ plan: BroadcastPlan, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>, threads: Int
  ) {
    let rows = plan.rows
    let inner = plan.inner
    let workers = plan.count >= 1 << 16 ? threads : 1
    if rows == 1 && workers > 1 {
      // One long row: split it instead.
      parallelRanges(inner, threads: workers) { range in
        let lo = range.lowerBound
        binaryRow(
          op, a + lo * plan.innerStrideA, plan.innerStrideA, b + lo * plan.innerStrideB, plan.innerStrideB,
          output + lo, range.count)
      }
      return
    }
    parallelRanges(rows, threads: workers) { range in
      for row in range {
        let (offsetA, offsetB) = plan.offsets(ofRow: row)
        binaryRow(
          op, a + offsetA, plan.innerStrideA, b + offsetB, plan.innerStrideB, output + row * inner, inner)
      }
    }
  }

  /// One inner row: each operand is contiguous (stride 1) or a scalar (stride 0).
  @inline(__always)
  private static func binaryRow(
    _ op: BinaryOperator, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
    _ out: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    switch (sa, sb) {
    case (1, 1):
      switch op {
      case .add: for i in 0..<n { out[i] = a[i] + b[i] }
      case .sub: for i in 0..<n { out[i] = a[i] - b[i] }
      case .mul: for i in 0..<n { out[i] = a[i] * b[i] }
      case .div: for i in 0..<n { out[i] = a[i] / b[i] }
      }
    case (1, _):
      let s = b[0]
      switch op {
      case .add: for i in 0..<n { out[i] = a[i] + s }
      case .sub: for i in 0..<n { out[i] = a[i] - s }
      case .mul: for i in 0..<n { out[i] = a[i] * s }
      case .div: for i in 0..<n { out[i] = a[i] / s }
      }
    case (_, 1):
      let s = a[0]
      switch op {
      case .add: for i in 0..<n { out[i] = s + b[i] }
      case .sub: for i in 0..<n { out[i] = s - b[i] }
      case .mul: for i in 0..<n { out[i] = s * b[i] }
      case .div: for i in 0..<n { out[i] = s / b[i] }
      }
    default:
      let v: Float
      switch op {
      case .add: v = a[0] + b[0]
      case .sub: v = a[0] - b[0]
      case .mul: v = a[0] * b[0]
      case .div: v = a[0] / b[0]
      }
      fill(out, v, n)
    }
  }
}
