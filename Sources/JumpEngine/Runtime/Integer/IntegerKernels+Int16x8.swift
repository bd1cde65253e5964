extension IntegerKernels {
  /// The int64 scratch `conv2d16x8` and `depthwiseConv2d16x8` need: one accumulator plane per worker.
  static func conv16x8ScratchCount(_ g: ConvGeometry, threads: Int) -> Int {
    convScratchCount(g, threads: threads)
  }

  /// Requantizes `count` int64 accumulators of one output channel to int16 (no zero points in 16x8 mode).
  @inline(__always)
  private static func requantizeToInt16(
    _ acc: UnsafePointer<Int64>, _ count: Int, bias: Int64, multiplier m: QuantizedMultiplier,
    range: ActivationRange, output: UnsafeMutablePointer<Int16>
  ) {
    for i in 0..<count {
      let v = FixedPoint.multiplyByQuantizedMultiplier(acc[i] &+ bias, m.multiplier, m.shift)
      output[i] = Int16(truncatingIfNeeded: range.clamp(v))
    }
  }

  /// TFLite's 16x8 `ConvPerChannel`: int16 activations (zero point 0), int8 weights, int64 bias and
  /// accumulators, int16 output.
  ///
  /// The accumulator is requantized by TFLite's 64-bit `MultiplyByQuantizedMultiplier`, which reduces the
  /// multiplier to 16 bits and rounds once in both rounding modes, so `q.rounding` is not used. Zero points
  /// in `q` are ignored (the 16x8 spec fixes them at 0); `q.range` should be an int16 range. Layouts as in
  /// `conv2d`. TFLite also has a variant with int32 bias; it is not reproduced here.
  static func conv2d16x8(
    _ g: ConvGeometry, input: UnsafePointer<Int16>, weight: UnsafePointer<Int8>, bias: UnsafePointer<Int64>?,
    output: UnsafeMutablePointer<Int16>, quantization q: ConvolutionQuantization,
    scratch: UnsafeMutablePointer<Int64>, threads: Int
  ) {
    let planes = g.batch * g.outChannels
    let taps = g.kernelHeight * g.kernelWidth
    let perGroupIn = g.inPerGroup
    let perGroupOut = g.outPerGroup
    let work = planes * g.outPlane * perGroupIn * taps
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
            g, source: source, zeroPoint: Int64(0), taps: weight + (oc * perGroupIn + i) * taps, into: acc)
        }
        requantizeToInt16(
          acc, g.outPlane, bias: bias?[oc] ?? 0, multiplier: q.multiplier(oc), range: q.range,
          output: output + p * g.outPlane)
      }
    }
  }

  /// TFLite's 16x8 `DepthwiseConvPerChannel` (int16 activations, int8 weights, int64 bias), as `conv2d16x8`
  /// is to `conv2d`.
  static func depthwiseConv2d16x8(
    _ g: ConvGeometry, input: UnsafePointer<Int16>, weight: UnsafePointer<Int8>, bias: UnsafePointer<Int64>?,
    output: UnsafeMutablePointer<Int16>, quantization q: ConvolutionQuantization,
    scratch: UnsafeMutablePointer<Int64>, threads: Int
  ) {
    let planes = g.batch * g.outChannels
    let multiplier = max(1, g.outChannels / max(1, g.inChannels))
    let taps = g.kernelHeight * g.kernelWidth
    let work = planes * g.outPlane * taps
    Kernels.parallelParts(planes, threads: work >= parallelWork ? threads : 1) { part, range in
      let acc = scratch + part * g.outPlane
      for p in range {
        let n = p / g.outChannels
        let oc = p - n * g.outChannels
        acc.update(repeating: 0, count: g.outPlane)
        let source = input + (n * g.inChannels + oc / multiplier) * g.inPlane
        accumulateWindow(g, source: source, zeroPoint: Int64(0), taps: weight + oc * taps, into: acc)
        requantizeToInt16(
          acc, g.outPlane, bias: bias?[oc] ?? 0, multiplier: q.multiplier(oc), range: q.range,
          output: output + p * g.outPlane)
      }
    }
  }

  /// TFLite's 16x8 FULLY_CONNECTED (int16 input, int8 weights `units x depth`, int64 bias, int16 output).
  static func fullyConnected16x8(
    batch: Int, depth: Int, units: Int, input: UnsafePointer<Int16>, weight: UnsafePointer<Int8>,
    bias: UnsafePointer<Int64>?, output: UnsafeMutablePointer<Int16>,
    quantization q: ConvolutionQuantization, threads: Int
  ) {
    let work = batch * units * depth
    Kernels.parallelRanges(batch * units, threads: work >= parallelWork ? threads : 1) { range in
      for r in range {
        let b = r / units
        let unit = r - b * units
        let x = input + b * depth
        let w = weight + unit * depth
        var acc: Int64 = 0
        for d in 0..<depth { acc &+= Int64(Int32(w[d]) &* Int32(x[d])) }
        acc &+= bias?[unit] ?? 0
        let m = q.multiplier(unit)
        let v = FixedPoint.multiplyByQuantizedMultiplier(acc, m.multiplier, m.shift)
        output[r] = Int16(truncatingIfNeeded: q.range.clamp(v))
      }
    }
  }
}
