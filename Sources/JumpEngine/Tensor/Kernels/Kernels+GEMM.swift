import CBLAS

extension Kernels {
  /// `C = alpha * op(A) * op(B) + beta * C` in row-major storage through OpenBLAS's `cblas_sgemm`.
  ///
  /// `op(A)` is `m x k`, `op(B)` is `k x n`; `lda`, `ldb`, `ldc` are the row strides of the stored matrices.
  /// The number of BLAS threads is what `setBLASThreads` last chose on the calling thread (1 if never),
  /// applied through `BLASThreadGate`, except for products under `singleThreadedGEMMWork` multiply-adds,
  /// which run on one. A single-row product goes through `cblas_sgemv`.
  static func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      scale(c, rows: m, columns: n, stride: ldc, by: beta)
      return
    }
    let threads = m * n * k < singleThreadedGEMMWork ? 1 : BLASThreadGate.shared.requested
    if m == 1 {
      // A single row: a matrix-vector product is several times faster than a 1-row GEMM.
      BLASThreadGate.shared.run(threads: threads) {
        cblas_sgemv(
          CblasRowMajor, transB ? CblasNoTrans : CblasTrans, Int32(transB ? n : k), Int32(transB ? k : n),
          alpha, b, Int32(ldb), a, Int32(transA ? lda : 1), beta, c, 1)
      }
      return
    }
    BLASThreadGate.shared.run(threads: threads) {
      cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
  }

  /// Products smaller than this (about 0.1 ms on one core) run on one BLAS thread whatever was requested.
  /// OpenBLAS threads anything over 2^18 multiply-adds; at batch 1 that splits the small GEMMs of a
  /// 32 x 32 model, where waking its workers costs about what they save and their spinning afterwards
  /// takes the second core from the next kernel (the teacher at batch 1 ran no faster on 2 threads).
  static let singleThreadedGEMMWork = 1 << 22

  /// Multiplies an `rows x columns` block with row stride `stride` by `factor` (0 clears it).
  static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, by factor: Float)
  {
    for r in 0..<rows {
      let row = c + r * stride
      if factor == 0 {
        fill(row, 0, columns)
      } else {
        for j in 0..<columns { row[j] *= factor }
      }
    }
  }

  /// Sets the number of threads OpenBLAS uses for the calling thread's following calls.
  ///
  /// OpenBLAS's count is process-wide; `BLASThreadGate` applies this request only while no other BLAS
  /// call is running.
  static func setBLASThreads(_ threads: Int) {
    BLASThreadGate.shared.request(threads)
  }
}
