import CKernels

extension Kernels {
  /// The C geometry of a 3 x 3 or 5 x 5 depthwise convolution, nil when the vector kernel cannot run it
  /// (no AVX-512, another kernel size, dilation, unequal strides).
  static func vectorDepthwiseGeometry(_ g: ConvGeometry) -> jsk_depthwise_geometry? {
    guard vectorWidth >= 16, g.kernelHeight == 3 || g.kernelHeight == 5, g.kernelWidth == g.kernelHeight,
      g.dilationHeight == 1, g.dilationWidth == 1, g.strideHeight == g.strideWidth, g.strideWidth <= 2
    else { return nil }
    return jsk_depthwise_geometry(
      batch: g.batch, in_channels: g.inChannels, out_channels: g.outChannels, in_height: g.inHeight,
      in_width: g.inWidth, out_height: g.outHeight, out_width: g.outWidth, kernel: g.kernelWidth,
      stride: g.strideWidth, pad_top: g.padTop, pad_left: g.padLeft)
  }

  /// The scratch floats `depthwiseVector` needs (the load masks, then one scratch per worker), 0 when it
  /// cannot run `g`.
  static func depthwiseVectorScratchCount(_ g: ConvGeometry, threads: Int) -> Int {
    guard var c = vectorDepthwiseGeometry(g) else { return 0 }
    let workers = max(1, min(threads, g.outChannels))
    return (jsk_depthwise_mask_count(&c) + 1) / 2 + workers * jsk_depthwise_scratch(&c)
  }

  /// A 3 x 3 or 5 x 5 depthwise convolution on the AVX-512 kernel (`CKernels/DepthwiseSquare.c`), with
  /// bias and the activation fused when it is ReLU, a clip or HardSwish (others run after). Returns false,
  /// having written nothing, when the kernel does not run `g` (see `jsk_depthwise_prepare`).
  ///
  /// Output channels are split across threads; each output is computed the same way whatever the split.
  /// The sums use fused multiply-adds, so they can differ from the Swift kernel's in the last bit.
  static func depthwiseVector(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>, activation: Activation, scratch: UnsafeMutablePointer<Float>,
    threads: Int
  ) -> Bool {
    guard var c = vectorDepthwiseGeometry(g) else { return false }
    let masks = UnsafeMutableRawPointer(scratch).assumingMemoryBound(to: UInt16.self)
    guard jsk_depthwise_prepare(&c, masks) != 0 else { return false }
    let workerScratch = scratch + (jsk_depthwise_mask_count(&c) + 1) / 2
    let perWorker = jsk_depthwise_scratch(&c)
    let fusedActivation = vectorActivation(activation)
    let (fused, low, high) = fusedActivation ?? (jsk_identity, -.infinity, .infinity)
    let geometry = c
    let work = g.batch * g.outChannels * g.outPlane * g.kernelHeight * g.kernelWidth
    parallelParts(g.outChannels, threads: work >= 1 << 15 ? threads : 1) { part, channels in
      var c = geometry
      jsk_depthwise(
        &c, masks, input, weight, bias, output, channels.lowerBound, channels.upperBound, fused, low, high,
        workerScratch + part * perWorker)
    }
    if fusedActivation == nil {
      activation.applyInPlace(output, g.batch * g.outChannels * g.outPlane)
    }
    return true
  }
}
