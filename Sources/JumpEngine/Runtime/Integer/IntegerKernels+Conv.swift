extension IntegerKernels {
  /// The int32 scratch `conv2d` and `depthwiseConv2d` need: one accumulator plane per worker.
  static func convScratchCount(_ g: ConvGeometry, threads: Int) -> Int {
    g.outPlane * max(1, min(threads, g.batch * g.outChannels))
  }

  /// TFLite's int8 `ConvPerChannel` (CONV_2D) on NCHW data.
  ///
  /// `input` is `N x C_in x H x W` int8, `weight` is `C_out x C_in/group x kh x kw` int8 (symmetric, one
  /// scale per output channel), `bias` is `C_out` int32 at scale `s_in * s_w[c]` (or nil), `output` is
  /// `N x C_out x OH x OW` int8. Strides, explicit (possibly asymmetric) pads, dilations and groups come from
  /// `g`; padded taps contribute nothing. `scratch` holds `convScratchCount(g, threads)` values.
  static func conv2d(
    _ g: ConvGeometry, input: UnsafePointer<Int8>, weight: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
    output: UnsafeMutablePointer<Int8>, quantization q: ConvolutionQuantization,
    scratch: UnsafeMutablePointer<Int32>, threads: Int
  ) {
    let planes = g.batch * g.outChannels
    let taps = g.kernelHeight * g.kernelWidth
    let perGroupIn = g.inPerGroup
    let perGroupOut = g.outPerGroup
    let work = planes * g.outPlane * perGroupIn * taps
    let zeroPoint = q.inputZeroPoint
    Kernels.parallelParts(planes, threads: work >= parallelWork ? threads : 1) { part, range in
      let acc = scratch + part * g.outPlane
      for p in range {
        let n = p / g.outChannels
        let oc = p - n * g.outChannels
        let firstIn = (oc / perGroupOut) * perGroupIn
        acc.update(repeating: 0, count: g.outPlane)
        for i in 0..<perGroupIn {
          let source = input + (n * g.inChannels + firstIn + i) * g.inPlane
          accumulateWindow(
            g, source: source, zeroPoint: zeroPoint, taps: weight + (oc * perGroupIn + i) * taps, into: acc)
        }
        requantizeToInt8(
          acc, g.outPlane, bias: bias?[oc] ?? 0, multiplier: q.multiplier(oc),
          outputZeroPoint: q.outputZeroPoint, range: q.range, rounding: q.rounding,
          output: output + p * g.outPlane)
      }
    }
  }
}
