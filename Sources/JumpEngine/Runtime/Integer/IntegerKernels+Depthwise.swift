extension IntegerKernels {
  /// TFLite's int8 `DepthwiseConvPerChannel` (DEPTHWISE_CONV_2D) on NCHW data.
  ///
  /// `g.group == C_in` and `C_out = C_in * depthMultiplier`; output channel `oc` reads input channel
  /// `oc / depthMultiplier` (TFLite's `ic * depth_multiplier + m` order, which is also ONNX's grouped
  /// convolution order). `weight` is `C_out x 1 x kh x kw`, `bias` `C_out` int32 (or nil); multipliers are
  /// per output channel. `scratch` holds `convScratchCount(g, threads)` values.
  static func depthwiseConv2d(
    _ g: ConvGeometry, input: UnsafePointer<Int8>, weight: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
    output: UnsafeMutablePointer<Int8>, quantization q: ConvolutionQuantization,
    scratch: UnsafeMutablePointer<Int32>, threads: Int
  ) {
    let planes = g.batch * g.outChannels
    let multiplier = max(1, g.outChannels / max(1, g.inChannels))
    let taps = g.kernelHeight * g.kernelWidth
    let work = planes * g.outPlane * taps
    let zeroPoint = q.inputZeroPoint
    Kernels.parallelParts(planes, threads: work >= parallelWork ? threads : 1) { part, range in
      let acc = scratch + part * g.outPlane
      for p in range {
        let n = p / g.outChannels
        let oc = p - n * g.outChannels
        acc.update(repeating: 0, count: g.outPlane)
        let source = input + (n * g.inChannels + oc / multiplier) * g.inPlane
        accumulateWindow(g, source: source, zeroPoint: zeroPoint, taps: weight + oc * taps, into: acc)
        requantizeToInt8(
          acc, g.outPlane, bias: bias?[oc] ?? 0, multiplier: q.multiplier(oc),
          outputZeroPoint: q.outputZeroPoint, range: q.range, rounding: q.rounding,
          output: output + p * g.outPlane)
      }
    }
  }
}
