extension IntegerExecutor {
  /// TFLite Micro's int16 AVERAGE_POOL_2D (`reference_integer_ops::AveragePool` for int16): the same window
  /// sum and rounding division as the int8 kernel, clamped to the int16 activation range.
  static func averagePool16(
    _ g: ConvGeometry, input: UnsafePointer<Int16>, output: UnsafeMutablePointer<Int16>,
    range: ActivationRange
  ) {
    for p in 0..<(g.batch * g.inChannels) {
      let source = input + p * g.inPlane
      let destination = output + p * g.outPlane
      for oy in 0..<g.outHeight {
        let y0 = oy * g.strideHeight - g.padTop
        let rows = max(0, y0)..<min(g.inHeight, y0 + g.kernelHeight)
        for ox in 0..<g.outWidth {
          let x0 = ox * g.strideWidth - g.padLeft
          let columns = max(0, x0)..<min(g.inWidth, x0 + g.kernelWidth)
          var acc: Int32 = 0
          for y in rows {
            for x in columns { acc &+= Int32(source[y * g.inWidth + x]) }
          }
          let count = Int32(rows.count * columns.count)
          var v: Int32 = 0
          if count > 0 { v = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count }
          destination[oy * g.outWidth + ox] = Int16(truncatingIfNeeded: range.clamp(v))
        }
      }
    }
  }

  /// TFLite Micro's int16 MEAN (`reference_ops::QuantizedMeanOrSum<int16_t>`): the int8 computation (int32
  /// sum, zero point times count subtracted, `s_in / s_out / count` folded into one multiplier) clamped to
  /// int16.
  static func mean16(
    _ input: UnsafePointer<Int16>, outer: Int, reduced: Int, inner: Int, output: UnsafeMutablePointer<Int16>,
    parameters: MeanParameters
  ) {
    let m = parameters.folded(count: reduced)
    let offset = parameters.inputZeroPoint &* Int32(truncatingIfNeeded: reduced)
    for o in 0..<outer {
      for i in 0..<inner {
        let source = input + o * reduced * inner + i
        var sum: Int32 = 0
        for r in 0..<reduced { sum &+= Int32(source[r * inner]) }
        let v =
          reduced == 0
          ? 0 : FixedPoint.multiply(sum &- offset, by: m, parameters.rounding) &+ parameters.outputZeroPoint
        output[o * inner + i] = Int16(clamping: v)
      }
    }
  }
}
