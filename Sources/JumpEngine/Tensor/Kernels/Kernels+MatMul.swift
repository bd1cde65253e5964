import CKernels

extension Kernels {
  /// ONNX Gemm: `Y = alpha * op(A) * op(B) + beta * C`, with `C` broadcast from `[]`, `[N]`, `[1, N]`,
  /// `[M, 1]` or `[M, N]` (`cShape`). Linear layers (`usesVectorGemm`) run on the AVX-512 product.
  static func gemm(
    _ attributes: GemmAttributes, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafePointer<Float>?, cShape: [Int], output: UnsafeMutablePointer<Float>, threads: Int
  ) {
    if usesVectorGemm(attributes, m: m, n: n, k: k, hasC: c != nil, cShape: cShape) {
      // Rows of A are broadcast like a convolution's weight; the columns of B and Y are 16-float vectors.
      var product = jsk_pointwise_geometry(
        rows: m, depth: k, vectors: n / 16, x_sample: 0, x_row: n, y_sample: 0, y_row: n, bias_per_column: 1)
      vectorProduct(&product, b, a, c, output, count: n / 16, .none, threads)
      return
    }
    var beta: Float = 0
    if let c, attributes.beta != 0 {
      beta = 1
      let cColumns = cShape.last ?? 1
      let cRows = cShape.count == 2 ? cShape[0] : 1
      let factor = attributes.beta
      for i in 0..<m {
        let source = c + (cRows == 1 ? 0 : i) * cColumns
        let row = output + i * n
        if cColumns == 1 {
          fill(row, factor * source[0], n)
        } else {
          for j in 0..<n { row[j] = factor * source[j] }
        }
      }
    }
    setBLASThreads(threads)
    sgemm(
      transA: attributes.transA, transB: attributes.transB, m: m, n: n, k: k, alpha: attributes.alpha,
      a: a, lda: attributes.transA ? m : k, b: b, ldb: attributes.transB ? k : n, beta: beta, c: output,
      ldc: n)
  }

  /// True when `gemm` runs on the AVX-512 product (`CKernels/PointwiseVector.c`): `A * B + C` with
  /// neither operand transposed, no scaling, `N` whole vectors, `C` absent or one bias per column, and
  /// two rows or more (a single row is a matrix-vector product, which BLAS streams as fast).
  static func usesVectorGemm(
    _ attributes: GemmAttributes, m: Int, n: Int, k: Int, hasC: Bool, cShape: [Int]
  ) -> Bool {
    guard vectorWidth >= 16, !attributes.transA, !attributes.transB, attributes.alpha == 1, m >= 2, k > 0,
      n % 16 == 0, n > 0
    else { return false }
    return !hasC || (attributes.beta == 1 && (cShape == [n] || cShape == [1, n]))
  }

  /// NumPy matmul of `a` (`aShape`) and `b` (`bShape`) into `output`: 1-D operands are promoted, leading
  /// (batch) dimensions broadcast. A 2-D `b` folds all of `a`'s batch into one GEMM.
  static func matMul(
    a: UnsafePointer<Float>, aShape: [Int], b: UnsafePointer<Float>, bShape: [Int],
    output: UnsafeMutablePointer<Float>, threads: Int
  ) {
    let m = aShape.count == 1 ? 1 : aShape[aShape.count - 2]
    let k = aShape[aShape.count - 1]
    let n = bShape.count == 1 ? 1 : bShape[bShape.count - 1]
    let aBatch = Array(aShape.dropLast(aShape.count == 1 ? 1 : 2))
    let bBatch = Array(bShape.dropLast(bShape.count == 1 ? 1 : 2))
    setBLASThreads(threads)
    if bBatch.reduce(1, *) == 1 {
      let rows = aBatch.reduce(1, *) * m
      sgemm(
        transA: false, transB: false, m: rows, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0,
        c: output, ldc: n)
      return
    }
    guard let plan = BroadcastPlan(aBatch, bBatch) else { return }
    for t in 0..<plan.count {
      let row = t / plan.inner
      let i = t - row * plan.inner
      let (rowA, rowB) = plan.offsets(ofRow: row)
      let matrixA = rowA + i * plan.innerStrideA
      let matrixB = rowB + i * plan.innerStrideB
      sgemm(
        transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a + matrixA * m * k, lda: k,
        b: b + matrixB * k * n, ldb: n, beta: 0, c: output + t * m * n, ldc: n)
    }
  }
}
