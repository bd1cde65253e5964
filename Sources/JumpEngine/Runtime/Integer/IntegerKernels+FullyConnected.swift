extension IntegerKernels {
  /// TFLite's int8 FULLY_CONNECTED (`FullyConnected` per-tensor, `FullyConnectedPerChannel` per-channel).
  ///
  /// `input` is `batch x depth` int8, `weight` is `units x depth` int8 (TFLite's `[out, in]`; an ONNX Gemm
  /// with `transB = 0` must be transposed first), `bias` `units` int32 (or nil), `output` `batch x units`.
  /// A single multiplier in `q` is TFLite's per-tensor spec; one per unit is the per-channel form newer
  /// TFLite accepts. Weights are symmetric (zero point 0), as the spec requires. Rows of the output are
  /// split across threads.
  static func fullyConnected(
    batch: Int, depth: Int, units: Int, input: UnsafePointer<Int8>, weight: UnsafePointer<Int8>,
    bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>,
    quantization q: ConvolutionQuantization, threads: Int
  ) {
    let zeroPoint = q.inputZeroPoint
    let (low, high) = (q.range.min, q.range.max)
    let work = batch * units * depth
    Kernels.parallelRanges(batch * units, threads: work >= parallelWork ? threads : 1) { range in
      for r in range {
        let b = r / units
        let unit = r - b * units
        let x = input + b * depth
        let w = weight + unit * depth
        var acc: Int32 = 0
        for d in 0..<depth {
          acc &+= Int32(w[d]) &* (Int32(x[d]) &- zeroPoint)
        }
        acc &+= bias?[unit] ?? 0
        let m = q.multiplier(unit)
        let v =
          FixedPoint.multiplyByQuantizedMultiplier(acc, m.multiplier, m.shift, q.rounding)
          &+ q.outputZeroPoint
        output[r] = Int8(truncatingIfNeeded: v < low ? low : (v > high ? high : v))
      }
    }
  }
}
