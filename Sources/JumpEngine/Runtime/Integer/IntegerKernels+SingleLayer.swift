extension IntegerKernels {
  /// The int32 scratch the single-layer `conv2d` and `depthwiseConv2d` need: the workspace of either
  /// kernel for `g`, counted in int32 values.
  static func convScratchCount(_ g: ConvGeometry, threads: Int) -> Int {
    singleLayerWorkspaceBytes(g, Int8.self, threads: threads) / MemoryLayout<Int32>.stride
  }

  /// The int64 scratch the single-layer `conv2d16x8` and `depthwiseConv2d16x8` need.
  static func conv16x8ScratchCount(_ g: ConvGeometry, threads: Int) -> Int {
    singleLayerWorkspaceBytes(g, Int16.self, threads: threads) / MemoryLayout<Int64>.stride
  }

  /// TFLite's int8 `ConvPerChannel` (CONV_2D) for one call: packs the `C_out x C_in/group x kh x kw` int8
  /// weights and runs `convolve` with `scratch` (`convScratchCount(g, threads)` values) as its workspace.
  /// The executor packs once when it plans instead.
  static func conv2d(
    _ g: ConvGeometry, input: UnsafePointer<Int8>, weight: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
    output: UnsafeMutablePointer<Int8>, quantization q: ConvolutionQuantization,
    scratch: UnsafeMutablePointer<Int32>, threads: Int
  ) {
    let weights = PackedConvolutionWeights(
      weight, rows: g.outChannels, depth: g.columnRows,
      largestSlice: Int8.largestSlice(zeroPoint: q.inputZeroPoint))
    convolve(
      g, input: input, weights: weights, bias: bias, output: output, quantization: q,
      workspace: UnsafeMutableRawPointer(scratch), threads: threads)
  }

  /// TFLite's 16x8 `ConvPerChannel` for one call (int16 activations with zero point 0, int8 weights, int64
  /// bias), as `conv2d` is for int8. TFLite also has a variant with int32 bias; it is not reproduced here.
  static func conv2d16x8(
    _ g: ConvGeometry, input: UnsafePointer<Int16>, weight: UnsafePointer<Int8>, bias: UnsafePointer<Int64>?,
    output: UnsafeMutablePointer<Int16>, quantization q: ConvolutionQuantization,
    scratch: UnsafeMutablePointer<Int64>, threads: Int
  ) {
    let weights = PackedConvolutionWeights(
      weight, rows: g.outChannels, depth: g.columnRows, largestSlice: Int16.largestSlice(zeroPoint: 0))
    convolve(
      g, input: input, weights: weights, bias: bias, output: output, quantization: q,
      workspace: UnsafeMutableRawPointer(scratch), threads: threads)
  }

  /// TFLite's int8 `DepthwiseConvPerChannel` (DEPTHWISE_CONV_2D) for one call, with `scratch`
  /// (`convScratchCount(g, threads)` values) as the workspace of `depthwise`.
  static func depthwiseConv2d(
    _ g: ConvGeometry, input: UnsafePointer<Int8>, weight: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
    output: UnsafeMutablePointer<Int8>, quantization q: ConvolutionQuantization,
    scratch: UnsafeMutablePointer<Int32>, threads: Int
  ) {
    depthwise(
      g, input: input, weight: weight, bias: bias, output: output, quantization: q,
      workspace: UnsafeMutableRawPointer(scratch), threads: threads)
  }

  /// TFLite's 16x8 `DepthwiseConvPerChannel` for one call.
  static func depthwiseConv2d16x8(
    _ g: ConvGeometry, input: UnsafePointer<Int16>, weight: UnsafePointer<Int8>, bias: UnsafePointer<Int64>?,
    output: UnsafeMutablePointer<Int16>, quantization q: ConvolutionQuantization,
    scratch: UnsafeMutablePointer<Int64>, threads: Int
  ) {
    depthwise(
      g, input: input, weight: weight, bias: bias, output: output, quantization: q,
      workspace: UnsafeMutableRawPointer(scratch), threads: threads)
  }

  /// TFLite's int8 FULLY_CONNECTED for one call (`FullyConnected` per-tensor, `FullyConnectedPerChannel`
  /// per-channel): a 1 x 1 convolution of the `batch x depth` input.
  ///
  /// `weight` is `units x depth` int8 (TFLite's `[out, in]`; an ONNX Gemm with `transB = 0` must be
  /// transposed first), `bias` `units` int32 (or nil), `output` `batch x units`. A single multiplier in `q` is
  /// TFLite's per-tensor spec; one per unit is the per-channel form newer TFLite accepts.
  static func fullyConnected(
    batch: Int, depth: Int, units: Int, input: UnsafePointer<Int8>, weight: UnsafePointer<Int8>,
    bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>,
    quantization q: ConvolutionQuantization, threads: Int
  ) {
    fullyConnectedOnce(
      batch: batch, depth: depth, units: units, input: input, weight: weight, bias: bias, output: output,
      quantization: q, threads: threads)
  }

  /// TFLite's 16x8 FULLY_CONNECTED for one call (int16 input, int8 weights `units x depth`, int64 bias).
  static func fullyConnected16x8(
    batch: Int, depth: Int, units: Int, input: UnsafePointer<Int16>, weight: UnsafePointer<Int8>,
    bias: UnsafePointer<Int64>?, output: UnsafeMutablePointer<Int16>,
    quantization q: ConvolutionQuantization, threads: Int
  ) {
    fullyConnectedOnce(
      batch: batch, depth: depth, units: units, input: input, weight: weight, bias: bias, output: output,
      quantization: q, threads: threads)
  }

  /// The geometry of FULLY_CONNECTED as a 1 x 1 convolution of `batch x depth x 1 x 1`.
  static func fullyConnectedGeometry(batch: Int, depth: Int, units: Int) -> ConvGeometry? {
    ConvGeometry(
      input: [batch, depth, 1, 1], outChannels: units, output: [batch, units, 1, 1], kernel: [1, 1],
      strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1)
  }

  /// Packs and runs one FULLY_CONNECTED with a workspace of its own.
  private static func fullyConnectedOnce<Element: ConvolutionActivation>(
    batch: Int, depth: Int, units: Int, input: UnsafePointer<Element>, weight: UnsafePointer<Int8>,
    bias: UnsafePointer<Element.Accumulator>?, output: UnsafeMutablePointer<Element>,
    quantization q: ConvolutionQuantization, threads: Int
  ) {
    guard let g = fullyConnectedGeometry(batch: batch, depth: depth, units: units) else { return }
    let weights = PackedConvolutionWeights(
      weight, rows: units, depth: depth, largestSlice: Element.largestSlice(zeroPoint: q.inputZeroPoint))
    let bytes = convolutionWorkspaceBytes(g, Element.self)
    let workspace = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    defer { workspace.deallocate() }
    convolve(
      g, input: input, weights: weights, bias: bias, output: output, quantization: q, workspace: workspace,
      threads: threads)
  }

  /// The larger of the two convolution workspaces for `g`, so one scratch serves either kernel.
  private static func singleLayerWorkspaceBytes<Element: ConvolutionActivation>(
    _ g: ConvGeometry, _: Element.Type, threads: Int
  ) -> Int {
    max(
      convolutionWorkspaceBytes(g, Element.self), depthwiseWorkspaceBytes(g, Element.self, threads: threads))
      + MemoryLayout<Int64>.stride
  }
}
