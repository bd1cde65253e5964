import CKernels

extension Kernels {
  /// The scratch floats `conv2d` needs: one im2col matrix per worker (none for pointwise convolutions), or
  /// the Winograd transforms.
  static func conv2dScratchCount(_ g: ConvGeometry, threads: Int) -> Int {
    if isFullyConnected(g) || usesPointwiseVector(g) { return 0 }
    if usesWinograd(g) { return winogradScratchCount(g, threads: threads) }
    if batchesSamples(g) {
      // The AVX-512 product on whole-vector planes writes the output in place, with no result matrix.
      let resultRows = vectorWidth >= 16 && g.outPlane % 16 == 0 ? 0 : g.outPerGroup
      return (g.columnRows + resultRows) * g.batch * g.outPlane
    }
    return g.isPointwise ? 0 : g.columnRows * g.outPlane * max(1, min(threads, g.batch))
  }

  /// True when a convolution is a fully connected layer: pointwise on 1 x 1 planes (squeeze-excitation
  /// blocks, heads after global pooling), so `N x C_in` samples times the transposed `C_out x C_in` weight
  /// is the whole convolution, with no copies.
  static func isFullyConnected(_ g: ConvGeometry) -> Bool {
    g.isPointwise && g.inPlane == 1 && g.group == 1
  }

  /// True when a convolution's samples are better multiplied in one GEMM: output planes under 64 make
  /// per-sample GEMMs too narrow to run at speed. From 64 columns on, OpenBLAS multiplies per sample as
  /// fast as over the whole batch, and the per-sample path skips the copies in and out of the wide matrix.
  static func batchesSamples(_ g: ConvGeometry) -> Bool {
    g.batch > 1 && g.outPlane < 64
  }

  /// Convolution (any groups, strides, pads, dilations) by im2col + SGEMM, then bias and `activation`; dense
  /// 3 x 3 stride-1 convolutions with enough channels by Winograd (`usesWinograd`).
  ///
  /// `weight` is `C_out x C_in/group x kh x kw`, which is already the row-major `M x K` GEMM operand of each
  /// group. A 1 x 1, stride-1, unpadded convolution multiplies the input planes directly. With more than one
  /// thread and more than one sample, samples are split across threads (each with its own scratch and a
  /// single-threaded BLAS); otherwise BLAS itself gets the threads. `winogradFilters` optionally holds
  /// the Winograd transform of `weight` (see `winogradConv2d`).
  static func conv2d(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>, activation: Activation, scratch: UnsafeMutablePointer<Float>?,
    threads: Int, winogradFilters: UnsafePointer<Float>? = nil
  ) {
    if isFullyConnected(g) {
      setBLASThreads(threads)
      convFullyConnected(g, input, weight, bias, output, activation)
      return
    }
    if usesPointwiseVector(g) {
      pointwiseVector(
        g, input: input, weight: weight, bias: bias, output: output, activation: activation, threads: threads)
      return
    }
    if usesWinograd(g), let scratch {
      winogradConv2d(
        g, input: input, weight: weight, bias: bias, output: output, activation: activation, scratch: scratch,
        threads: threads, transformedFilters: winogradFilters)
      return
    }
    if batchesSamples(g), let scratch {
      setBLASThreads(threads)
      for group in 0..<g.group {
        convGroupBatched(g, group, input, weight, bias, output, activation, scratch, threads: threads)
      }
      return
    }
    let columnCount = g.columnRows * g.outPlane
    let bySample = threads > 1 && g.batch > 1
    setBLASThreads(bySample ? 1 : threads)
    parallelParts(g.batch, threads: bySample ? threads : 1) { part, samples in
      let columns = scratch.map { $0 + part * columnCount }
      for n in samples {
        convSample(g, n, input, weight, bias, output, activation, columns, threads: bySample ? 1 : threads)
      }
    }
  }

  /// `conv2d` for `isFullyConnected` geometries: the output rows start as the bias and one GEMM adds
  /// `input * weight^T` (a matrix-vector product for one sample), then the activation runs over all rows.
  private static func convFullyConnected(
    _ g: ConvGeometry, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
    _ bias: UnsafePointer<Float>?, _ output: UnsafeMutablePointer<Float>, _ activation: Activation
  ) {
    if let bias {
      for n in 0..<g.batch { copy(bias, output + n * g.outChannels, g.outChannels) }
    }
    sgemm(
      transA: false, transB: true, m: g.batch, n: g.outChannels, k: g.inChannels, alpha: 1, a: input,
      lda: g.inChannels, b: weight, ldb: g.inChannels, beta: bias == nil ? 0 : 1, c: output,
      ldc: g.outChannels)
    activation.applyInPlace(output, g.batch * g.outChannels)
  }

  /// One group of `conv2d` for every sample at once: the samples' im2col matrices side by side
  /// (`K x N*outPlane`), one GEMM, then the result scattered back to `N x C x H x W` with bias and activation.
  /// On AVX-512 processors the copies of an ungrouped convolution run in `CKernels/BatchColumns.c` (a
  /// 4 x 4 plane is one vector).
  private static func convGroupBatched(
    _ g: ConvGeometry, _ group: Int, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
    _ bias: UnsafePointer<Float>?, _ output: UnsafeMutablePointer<Float>, _ activation: Activation,
    _ scratch: UnsafeMutablePointer<Float>, threads: Int
  ) {
    let k = g.columnRows
    let plane = g.outPlane
    let wide = g.batch * plane
    let columns = scratch
    let result = scratch + k * wide
    let vectorCopies = vectorWidth >= 16 && g.group == 1
    if vectorCopies && g.isPointwise {
      jsk_batch_to_columns(input, columns, g.batch, g.inChannels, plane)
    } else {
      gatherColumns(g, group, input, columns)
    }
    if vectorWidth >= 16 && plane % 16 == 0 {
      // The AVX-512 product writes each sample's planes in place, bias and activation fused.
      let destination = output + group * g.outPerGroup * plane
      var product = jsk_pointwise_geometry(
        rows: g.outPerGroup, depth: k, vectors: plane / 16, x_sample: plane, x_row: wide,
        y_sample: g.outChannels * plane, y_row: plane, bias_per_column: 0)
      vectorProduct(
        &product, columns, weight + group * g.outPerGroup * k, bias.map { $0 + group * g.outPerGroup },
        destination, count: wide / 16, activation, threads)
      if vectorActivation(activation) == nil {
        for n in 0..<g.batch {
          activation.applyInPlace(destination + n * g.outChannels * plane, g.outPerGroup * plane)
        }
      }
      return
    }
    sgemm(
      transA: false, transB: false, m: g.outPerGroup, n: wide, k: k, alpha: 1,
      a: weight + group * g.outPerGroup * k,
      lda: k, b: columns, ldb: wide, beta: 0, c: result, ldc: wide)
    if vectorCopies, let (kind, low, high) = vectorActivation(activation) {
      jsk_columns_to_batch(result, output, g.batch, g.outChannels, plane, bias, kind, low, high)
      return
    }
    for n in 0..<g.batch {
      let destination = output + (n * g.outChannels + group * g.outPerGroup) * plane
      for m in 0..<g.outPerGroup {
        let row = destination + m * plane
        let source = result + m * wide + n * plane
        if let bias {
          activation.apply(source, row, plane, adding: bias[group * g.outPerGroup + m])
        } else {
          activation.apply(source, row, plane)
        }
      }
    }
  }

  /// The im2col matrices (or, for pointwise convolutions, the input planes) of one group of every sample,
  /// side by side: `K x N*outPlane`.
  private static func gatherColumns(
    _ g: ConvGeometry, _ group: Int, _ input: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>
  ) {
    let plane = g.outPlane
    let wide = g.batch * plane
    for n in 0..<g.batch {
      let source = input + (n * g.inChannels + group * g.inPerGroup) * g.inPlane
      if g.isPointwise {
        for c in 0..<g.inPerGroup { copy(source + c * g.inPlane, columns + c * wide + n * plane, plane) }
      } else {
        im2col(g, input: source, columns: columns + n * plane, rowStride: wide)
      }
    }
  }

  /// One sample of `conv2d`, its products on `threads` threads.
  private static func convSample(
    _ g: ConvGeometry, _ n: Int, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
    _ bias: UnsafePointer<Float>?, _ output: UnsafeMutablePointer<Float>, _ activation: Activation,
    _ columns: UnsafeMutablePointer<Float>?, threads: Int
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
      let groupWeight = weight + group * g.outPerGroup * k
      let groupBias = bias.map { $0 + group * g.outPerGroup }
      if vectorWidth >= 16 && g.outPlane % 16 == 0 {
        // The AVX-512 product reads the columns in place and fuses bias and activation.
        var product = jsk_pointwise_geometry(
          rows: g.outPerGroup, depth: k, vectors: g.outPlane / 16, x_sample: 0, x_row: g.outPlane,
          y_sample: 0,
          y_row: g.outPlane, bias_per_column: 0)
        vectorProduct(
          &product, operand, groupWeight, groupBias, destination, count: product.vectors, activation, threads)
        if vectorActivation(activation) == nil {
          activation.applyInPlace(destination, g.outPerGroup * g.outPlane)
        }
        continue
      }
      sgemm(
        transA: false, transB: false, m: g.outPerGroup, n: g.outPlane, k: k, alpha: 1,
        a: groupWeight, lda: k, b: operand, ldb: g.outPlane, beta: 0,
        c: destination, ldc: g.outPlane)
      biasActivate(
        destination, bias: groupBias, channels: g.outPerGroup,
        plane: g.outPlane, activation: activation)
    }
  }

  /// Adds a per-channel bias (when given) to `channels` consecutive planes and applies `activation` (in one
  /// AVX-512 pass for ReLU and clips when the processor has it).
  static func biasActivate(
    _ values: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, channels: Int, plane: Int,
    activation: Activation
  ) {
    if vectorWidth >= 16, let (kind, low, high) = vectorActivation(activation) {
      jsk_columns_to_batch(values, values, 1, channels, plane, bias, kind, low, high)
      return
    }
    for c in 0..<channels {
      let row = values + c * plane
      if let bias {
        activation.apply(row, row, plane, adding: bias[c])
      } else {
        activation.applyInPlace(row, plane)
      }
    }
  }
}
