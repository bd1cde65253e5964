extension Kernels {
  /// The scratch floats `conv2d` needs: one im2col matrix per worker (none for pointwise convolutions).
  static func conv2dScratchCount(_ g: ConvGeometry, threads: Int) -> Int {
    g.isPointwise ? 0 : g.columnRows * g.outPlane * max(1, min(threads, g.batch))
  }

  /// Convolution (any groups, strides, pads, dilations) by im2col + SGEMM, then bias and `activation`.
  ///
  /// `weight` is `C_out x C_in/group x kh x kw`, which is already the row-major `M x K` GEMM operand of each
  /// group. A 1 x 1, stride-1, unpadded convolution multiplies the input planes directly. With more than one
  /// thread and more than one sample, samples are split across threads (each with its own scratch and a
  /// single-threaded BLAS); otherwise BLAS itself gets the threads.
  static func conv2d(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>, activation: Activation, scratch: UnsafeMutablePointer<Float>?,
    threads: Int
  ) {
    let columnCount = g.columnRows * g.outPlane
    let bySample = threads > 1 && g.batch > 1
    setBLASThreads(bySample ? 1 : threads)
    parallelParts(g.batch, threads: bySample ? threads : 1) { part, samples in
      let columns = scratch.map { $0 + part * columnCount }
      for n in samples {
        convSample(g, n, input, weight, bias, output, activation, columns)
      }
    }
  }

  /// One sample of `conv2d`.
  private static func convSample(
    _ g: ConvGeometry, _ n: Int, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
    _ bias: UnsafePointer<Float>?, _ output: UnsafeMutablePointer<Float>, _ activation: Activation,
    _ columns: UnsafeMutablePointer<Float>?
  ) {
    let k = g.columnRows
    for group in 0..<g.group {
      let source = input + (n * g.inChannels + group * g.inPerGroup) * g.inPlane
      let destination = output + (n * g.outChannels + group * g.outPerGroup) * g.outPlane
      var operand = source
      if !g.isPointwise, let columns {
        im2col(g, input: source, columns: columns)
        operand = UnsafePointer(columns)
      }
      sgemm(
        transA: false, transB: false, m: g.outPerGroup, n: g.outPlane, k: k, alpha: 1,
        a: weight + group * g.outPerGroup * k, lda: k, b: operand, ldb: g.outPlane, beta: 0,
        c: destination, ldc: g.outPlane)
      biasActivate(
        destination, bias: bias.map { $0 + group * g.outPerGroup }, channels: g.outPerGroup,
        plane: g.outPlane, activation: activation)
    }
  }

  /// Adds a per-channel bias (when given) to `channels` consecutive planes and applies `activation`.
  static func biasActivate(
    _ values: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, channels: Int, plane: Int,
    activation: Activation
  ) {
    for c in 0..<channels {
      let row = values + c * plane
      if let bias {
        let b = bias[c]
        for j in 0..<plane { row[j] += b }
      }
      activation.applyInPlace(row, plane)
    }
  }
}
