extension IntegerKernels {
  /// TFLite's int8 or int16 AVERAGE_POOL_2D (`reference_integer_ops::AveragePool`) on NCHW data: the input
  /// and output share scale and zero point.
  ///
  /// Each output is the sum of the raw values of the window cells that lie inside the input, divided by
  /// their count with rounding half away from zero (`(acc ± count / 2) / count`), then clamped to `range`.
  /// Padded cells are never counted, so TFLite computes ONNX's `count_include_pad = 0`. ONNX models map as
  /// follows:
  /// - `count_include_pad = 1` with non-zero pads has no TFLite equivalent and must be rejected (or exported
  ///   as an explicit PAD with the input zero point followed by an unpadded pool, which this kernel then runs
  ///   with zero pads).
  /// - `ceil_mode = 1` is fine as long as every window overlaps the input: the extra windows are clipped to
  ///   the input, as ONNX clips them with `count_include_pad = 0`. A window entirely in the padding makes
  ///   TFLite fail, so such geometries must be rejected.
  /// - dilations must be 1 (TFLite pools have none); `g.dilationHeight/Width` are ignored.
  /// The exporter can express only SAME and VALID padding; that is its check, not this kernel's.
  @_specialize(where Element == Int8)
  @_specialize(where Element == Int16)
  static func averagePool2d<Element: FixedWidthInteger & SignedInteger>(
    _ g: ConvGeometry, input: UnsafePointer<Element>, output: UnsafeMutablePointer<Element>,
    range: ActivationRange
  ) {
    for p in 0..<(g.batch * g.inChannels) {
      let source = input + p * g.inPlane
      let destination = output + p * g.outPlane
      for oy in 0..<g.outHeight {
        let y0 = oy * g.strideHeight - g.padTop
        let yRange = max(0, y0)..<min(g.inHeight, y0 + g.kernelHeight)
        for ox in 0..<g.outWidth {
          let x0 = ox * g.strideWidth - g.padLeft
          let xRange = max(0, x0)..<min(g.inWidth, x0 + g.kernelWidth)
          var acc: Int32 = 0
          for y in yRange {
            let row = source + y * g.inWidth
            for x in xRange { acc &+= Int32(row[x]) }
          }
          let count = Int32(yRange.count * xRange.count)
          var v: Int32 = 0
          if count > 0 {
            v = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count
          }
          destination[oy * g.outWidth + ox] = Element(truncatingIfNeeded: range.clamp(v))
        }
      }
    }
  }

  /// TFLite's int8 or int16 MAX_POOL_2D on NCHW data: the largest value among the window cells inside the
  /// input (`Element.min` for none), clamped to `range`. Same mapping rules as `averagePool2d`.
  @_specialize(where Element == Int8)
  @_specialize(where Element == Int16)
  static func maxPool2d<Element: FixedWidthInteger & SignedInteger>(
    _ g: ConvGeometry, input: UnsafePointer<Element>, output: UnsafeMutablePointer<Element>,
    range: ActivationRange
  ) {
    let low = Element(clamping: range.min)
    let high = Element(clamping: range.max)
    for p in 0..<(g.batch * g.inChannels) {
      let source = input + p * g.inPlane
      let destination = output + p * g.outPlane
      for oy in 0..<g.outHeight {
        let y0 = oy * g.strideHeight - g.padTop
        let yRange = max(0, y0)..<min(g.inHeight, y0 + g.kernelHeight)
        for ox in 0..<g.outWidth {
          let x0 = ox * g.strideWidth - g.padLeft
          let xRange = max(0, x0)..<min(g.inWidth, x0 + g.kernelWidth)
          var best = Element.min
          for y in yRange {
            let row = source + y * g.inWidth
            for x in xRange where row[x] > best { best = row[x] }
          }
          destination[oy * g.outWidth + ox] = best < low ? low : (best > high ? high : best)
        }
      }
    }
  }
}
