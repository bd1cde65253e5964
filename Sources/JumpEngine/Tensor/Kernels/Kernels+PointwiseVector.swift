import CKernels

extension Kernels {
  /// True when `conv2d` runs `g` on the AVX-512 pointwise kernel (`CKernels/PointwiseVector.c`): a 1 x 1
  /// convolution whose planes are whole 16-float vectors (4 x 4, 8 x 8, 16 x 16, ...).
  static func usesPointwiseVector(_ g: ConvGeometry) -> Bool {
    vectorWidth >= 16 && g.isPointwise && g.outPlane % 16 == 0 && g.outPlane > 0
  }

  /// A pointwise convolution of the whole batch as one product per group, read from and written to the
  /// NCHW planes in place (no copies around the GEMM), bias and activation fused (activations the kernel does not fuse
  /// run after). Column vectors are split across threads; every output is computed the same way whatever
  /// the split.
  static func pointwiseVector(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>, activation: Activation, threads: Int
  ) {
    let vectors = g.outPlane / 16
    var geometry = jsk_pointwise_geometry(
      rows: g.outPerGroup, depth: g.inPerGroup, vectors: vectors, x_sample: g.inChannels * g.inPlane,
      x_row: g.inPlane, y_sample: g.outChannels * g.outPlane, y_row: g.outPlane, bias_per_column: 0)
    for group in 0..<g.group {
      vectorProduct(
        &geometry, input + group * g.inPerGroup * g.inPlane, weight + group * g.outPerGroup * g.inPerGroup,
        bias.map { $0 + group * g.outPerGroup }, output + group * g.outPerGroup * g.outPlane,
        count: g.batch * vectors, activation, threads)
    }
    if vectorActivation(activation) == nil {
      activation.applyInPlace(output, g.batch * g.outChannels * g.outPlane)
    }
  }

  /// Runs `jsk_pointwise` on column vectors `0..<count`, split across `threads` when the work is large
  /// enough to pay for waking them; an activation the kernel does not fuse is left to the caller.
  static func vectorProduct(
    _ geometry: inout jsk_pointwise_geometry, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
    _ bias: UnsafePointer<Float>?, _ output: UnsafeMutablePointer<Float>, count: Int,
    _ activation: Activation, _ threads: Int
  ) {
    let (kind, low, high) = vectorActivation(activation) ?? (jsk_identity, -.infinity, .infinity)
    let work = count * 16 * geometry.rows * geometry.depth
    let shared = geometry
    parallelParts(count, threads: work >= 1 << 18 ? threads : 1) { _, columns in
      var g = shared
      jsk_pointwise(
        &g, input, weight, bias, output, columns.lowerBound, columns.upperBound, kind, low, high)
    }
  }
}
