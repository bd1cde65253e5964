extension Kernels {
  /// Max pooling over `N x C x H x W` (pads, strides, dilations, any output size from `ceil_mode`).
  ///
  /// Padded cells never win; planes are split across threads.
  static func maxPool2d(
    _ g: ConvGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, threads: Int
  ) {
    let planes = g.batch * g.inChannels
    let work = planes * g.outPlane * g.kernelHeight * g.kernelWidth
    parallelRanges(planes, threads: work >= 1 << 15 ? threads : 1) { range in
      for p in range {
        let source = input + p * g.inPlane
        let destination = output + p * g.outPlane
        fill(destination, -.infinity, g.outPlane)
        windowRows(g) { oy, iy, kx, valid in
          let row = destination + oy * g.outWidth
          let s = source + iy * g.inWidth - g.padLeft + kx * g.dilationWidth
          let sw = g.strideWidth
          for ox in valid {
            let v = s[ox &* sw]
            row[ox] = v > row[ox] ? v : row[ox]
          }
        }
      }
    }
  }

  /// Average pooling over `N x C x H x W`; with `countIncludePad` the divisor counts padded cells (but not
  /// cells past the end padding that `ceil_mode` windows reach), otherwise only the cells inside the input.
  static func averagePool2d(
    _ g: ConvGeometry, countIncludePad: Bool, input: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>,
    threads: Int
  ) {
    let planes = g.batch * g.inChannels
    let work = planes * g.outPlane * g.kernelHeight * g.kernelWidth
    withUnsafeTemporaryAllocation(of: Float.self, capacity: g.outPlane) { divisors in
      guard let reciprocal = divisors.baseAddress else { return }
      averageDivisors(g, countIncludePad: countIncludePad, into: reciprocal)
      parallelRanges(planes, threads: work >= 1 << 15 ? threads : 1) { range in
        for p in range {
          let source = input + p * g.inPlane
          let destination = output + p * g.outPlane
          fill(destination, 0, g.outPlane)
          windowRows(g) { oy, iy, kx, valid in
            let row = destination + oy * g.outWidth
            let s = source + iy * g.inWidth - g.padLeft + kx * g.dilationWidth
            let sw = g.strideWidth
            for ox in valid { row[ox] += s[ox &* sw] }
          }
          for i in 0..<g.outPlane { destination[i] *= reciprocal[i] }
        }
      }
    }
  }

  /// Calls `body(oy, iy, kx, validColumns)` for every output row, kernel row inside the input, and kernel
  /// column, with the output columns whose tap lies inside the input.
  @inline(__always)
  private static func windowRows(_ g: ConvGeometry, _ body: (Int, Int, Int, Range<Int>) -> Void) {
    for oy in 0..<g.outHeight {
      for ky in 0..<g.kernelHeight {
        let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
        if iy < 0 || iy >= g.inHeight { continue }
        for kx in 0..<g.kernelWidth {
          body(oy, iy, kx, g.validColumns(offset: kx * g.dilationWidth))
        }
      }
    }
  }

  /// `1 / count` for every output cell of an average pool.
  private static func averageDivisors(
    _ g: ConvGeometry, countIncludePad: Bool, into reciprocal: UnsafeMutablePointer<Float>
  ) {
    // A tap counts when it lies inside the input, or (countIncludePad) inside the padded extent.
    let (lowY, highY) = countIncludePad ? (-g.padTop, g.inHeight + g.padBottom) : (0, g.inHeight)
    let (lowX, highX) = countIncludePad ? (-g.padLeft, g.inWidth + g.padRight) : (0, g.inWidth)
    for oy in 0..<g.outHeight {
      var rows = 0
      for ky in 0..<g.kernelHeight {
        let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
        if iy >= lowY && iy < highY { rows += 1 }
      }
      for ox in 0..<g.outWidth {
        var columns = 0
        for kx in 0..<g.kernelWidth {
          let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
          if ix >= lowX && ix < highX { columns += 1 }
        }
        let count = rows * columns
        reciprocal[oy * g.outWidth + ox] = count > 0 ? 1 / Float(count) : 0
      }
    }
  }
}
