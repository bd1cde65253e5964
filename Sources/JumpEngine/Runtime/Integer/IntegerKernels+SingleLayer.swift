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

  /// TFLite's `ConvPerChannel` (CONV_2D, int8 or 16x8 with int64 bias) for one call: packs the `C_out x
  /// C_in/group x kh x kw` int8 weights and runs `convolve` with `scratch` (`convScratchCount(g, threads)` or
  /// `conv16x8ScratchCount` values) as its workspace. The executor packs once when it plans instead.
  static func conv2d<Element: ConvolutionActivation>(
    _ g: ConvGeometry, input: UnsafePointer<Element>, weight: UnsafePointer<Int8>,
    bias: UnsafePointer<Element.Accumulator>?, output: UnsafeMutablePointer<Element>,
    quantization q: ConvolutionQuantization, scratch: UnsafeMutablePointer<Element.Accumulator>, threads: Int
  ) {
    let weights = PackedConvolutionWeights(
      weight, rows: g.outChannels, depth: g.columnRows,
      largestSlice: Element.largestSlice(zeroPoint: q.inputZeroPoint))
    convolve(
      g, input: input, weights: weights, bias: bias, output: output, quantization: q,
      workspace: UnsafeMutableRawPointer(scratch), threads: threads)
  }

  /// TFLite's `DepthwiseConvPerChannel` (DEPTHWISE_CONV_2D, int8 or 16x8) for one call, with `scratch` as
  /// the workspace of `depthwise`.
  static func depthwiseConv2d<Element: ConvolutionActivation>(
    _ g: ConvGeometry, input: UnsafePointer<Element>, weight: UnsafePointer<Int8>,
    bias: UnsafePointer<Element.Accumulator>?, output: UnsafeMutablePointer<Element>,
    quantization q: ConvolutionQuantization, scratch: UnsafeMutablePointer<Element.Accumulator>, threads: Int
  ) {
    depthwise(
      g, input: input, weight: weight, bias: bias, output: output, quantization: q,
      workspace: UnsafeMutableRawPointer(scratch), threads: threads)
  }

  /// The 16x8 `conv2d` under TFLite's name for it. TFLite also has a variant with int32 bias; it is not
  /// reproduced here.
  static func conv2d16x8(
    _ g: ConvGeometry, input: UnsafePointer<Int16>, weight: UnsafePointer<Int8>, bias: UnsafePointer<Int64>?,
    output: UnsafeMutablePointer<Int16>, quantization q: ConvolutionQuantization,
    scratch: UnsafeMutablePointer<Int64>, threads: Int
  ) {
    conv2d(
      g, input: input, weight: weight, bias: bias, output: output, quantization: q, scratch: scratch,
      threads: threads)
  }

  /// The 16x8 `depthwiseConv2d` under TFLite's name for it.
  static func depthwiseConv2d16x8(
    _ g: ConvGeometry, input: UnsafePointer<Int16>, weight: UnsafePointer<Int8>, bias: UnsafePointer<Int64>?,
    output: UnsafeMutablePointer<Int16>, quantization q: ConvolutionQuantization,
    scratch: UnsafeMutablePointer<Int64>, threads: Int
  ) {
    depthwiseConv2d(
      g, input: input, weight: weight, bias: bias, output: output, quantization: q, scratch: scratch,
      threads: threads)
  }

  /// TFLite's FULLY_CONNECTED for one call (int8: `FullyConnected` per-tensor, `FullyConnectedPerChannel`
  /// per-channel; or 16x8 with int64 bias): a 1 x 1 convolution of the `batch x depth` input.
  ///
  /// `weight` is `units x depth` int8 (TFLite's `[out, in]`; an ONNX Gemm with `transB = 0` must be
  /// transposed first), `bias` one accumulator per unit (or nil), `output` `batch x units`. A single
  /// multiplier in `q` is TFLite's per-tensor spec; one per unit is the per-channel form newer TFLite accepts.
  static func fullyConnected<Element: ConvolutionActivation>(
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

  /// The 16x8 `fullyConnected` under TFLite's name for it.
  static func fullyConnected16x8(
    batch: Int, depth: Int, units: Int, input: UnsafePointer<Int16>, weight: UnsafePointer<Int8>,
    bias: UnsafePointer<Int64>?, output: UnsafeMutablePointer<Int16>,
    quantization q: ConvolutionQuantization, threads: Int
  ) {
    fullyConnected(
      batch: batch, depth: depth, units: units, input: input, weight: weight, bias: bias, output: output,
      quantization: q, threads: threads)
  }

  /// The geometry of FULLY_CONNECTED as a 1 x 1 convolution of `batch x depth x 1 x 1`.
  static func fullyConnectedGeometry(batch: Int, depth: Int, units: Int) -> ConvGeometry? {
    ConvGeometry(
      input: [batch, depth, 1, 1], outChannels: units, output: [batch, units, 1, 1], kernel: [1, 1],
      strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1)
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
