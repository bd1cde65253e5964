extension IntegerKernels {
  /// Adds one input plane's contribution to one output plane's accumulators:
  /// `acc[oy, ox] += w[ky, kx] * (x[iy, ix] - zeroPoint)` over every kernel tap that lies inside the input.
  ///
  /// Taps in the padding contribute nothing (TFLite "omits the areas outside the image"; it does not pad with
  /// the zero point). Each kernel tap adds to the span of output columns whose tap is valid in one
  /// vectorizable loop; zero weights (pruned taps) are skipped, which cannot change the sum.
  ///
  /// Pre-specialized for the int8 and 16x8 kernels: debug builds compile files separately, where a generic
  /// called from another file would otherwise run unspecialized (hundreds of times slower).
  @_specialize(where Element == Int8, Accumulator == Int32)
  @_specialize(where Element == Int16, Accumulator == Int64)
  static func accumulateWindow<Element: FixedWidthInteger, Accumulator: FixedWidthInteger>(
    _ g: ConvGeometry, source: UnsafePointer<Element>, zeroPoint: Accumulator, taps: UnsafePointer<Int8>,
    into acc: UnsafeMutablePointer<Accumulator>
  ) {
    if g.isPointwise {
      let w = Accumulator(taps[0])
      if w == 0 { return }
      for p in 0..<g.outPlane {
        acc[p] &+= w &* (Accumulator(truncatingIfNeeded: source[p]) &- zeroPoint)
      }
      return
    }
    let sw = g.strideWidth
    for oy in 0..<g.outHeight {
      let row = acc + oy * g.outWidth
      for ky in 0..<g.kernelHeight {
        let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
        if iy < 0 || iy >= g.inHeight { continue }
        let sourceRow = source + iy * g.inWidth - g.padLeft
        for kx in 0..<g.kernelWidth {
          let w = Accumulator(taps[ky * g.kernelWidth + kx])
          if w == 0 { continue }
          let offset = kx * g.dilationWidth
          let valid = g.validColumns(offset: offset)
          let s = sourceRow + offset
          if sw == 1 {
            for ox in valid { row[ox] &+= w &* (Accumulator(truncatingIfNeeded: s[ox]) &- zeroPoint) }
          } else {
            for ox in valid { row[ox] &+= w &* (Accumulator(truncatingIfNeeded: s[ox * sw]) &- zeroPoint) }
          }
        }
      }
    }
  }

  /// Requantizes `count` int32 accumulators of one output channel to int8:
  /// `clamp(M(acc + bias) + outputZeroPoint, range)`.
  @inline(__always)
  static func requantizeToInt8(
    _ acc: UnsafePointer<Int32>, _ count: Int, bias: Int32, multiplier m: QuantizedMultiplier,
    outputZeroPoint: Int32, range: ActivationRange, rounding: RoundingMode,
    output: UnsafeMutablePointer<Int8>
  ) {
    let (low, high) = (range.min, range.max)
    switch rounding {
    case .double:
      for i in 0..<count {
        let scaled = FixedPoint.multiplyByQuantizedMultiplier(acc[i] &+ bias, m.multiplier, m.shift, .double)
        let v = scaled &+ outputZeroPoint
        output[i] = Int8(truncatingIfNeeded: v < low ? low : (v > high ? high : v))
      }
    case .single:
      for i in 0..<count {
        let scaled = FixedPoint.multiplyByQuantizedMultiplier(acc[i] &+ bias, m.multiplier, m.shift, .single)
        let v = scaled &+ outputZeroPoint
        output[i] = Int8(truncatingIfNeeded: v < low ? low : (v > high ? high : v))
      }
    }
  }

  /// The work (multiply-adds) above which a kernel spreads its planes over threads.
  static let parallelWork = 1 << 15
}
