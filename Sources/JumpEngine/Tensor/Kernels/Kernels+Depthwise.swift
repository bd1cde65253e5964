extension Kernels {
  /// The padded-plane size a depthwise convolution reads: every tap of every output lies inside it.
  static func depthwisePaddedPlane(_ g: ConvGeometry) -> (rows: Int, columns: Int) {
    let rows = max(
      (g.outHeight - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight + 1, g.padTop + g.inHeight)
    let columns = max(
      (g.outWidth - 1) * g.strideWidth + (g.kernelWidth - 1) * g.dilationWidth + 1, g.padLeft + g.inWidth)
    return (rows, columns)
  }

  /// The scratch floats `depthwiseConv2d` needs: one zero-padded input plane per worker, or what the
  /// vector kernel needs when that is more.
  static func depthwiseScratchCount(_ g: ConvGeometry, threads: Int) -> Int {
    let (rows, columns) = depthwisePaddedPlane(g)
    return max(
      rows * columns * max(1, min(threads, g.batch * g.outChannels)),
      depthwiseVectorScratchCount(g, threads: threads))
  }

  /// Direct depthwise convolution (`group == C_in`, `C_out = C_in * multiplier`), then bias and activation.
  ///
  /// Output channel `oc` reads input channel `oc / multiplier`. Each input plane is first copied into a
  /// zero-padded scratch plane, so every tap is in bounds and the inner loops need no range checks; 3 x 3
  /// kernels with stride 1 or 2 sum their nine taps in one pass per output row. Planes are split across
  /// threads, each with its own scratch plane. On AVX-512 processors, 3 x 3 and 5 x 5 kernels with "same"
  /// padding run on `depthwiseVector` instead, except on planes under 4 outputs (1 x 1, 1 x 2, ...),
  /// where the tap list reads a few taps and the vector kernel would load every tap for one or two lanes.
  static func depthwiseConv2d(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>, activation: Activation, scratch: UnsafeMutablePointer<Float>,
    threads: Int
  ) {
    if g.outPlane >= 4
      && depthwiseVector(
        g, input: input, weight: weight, bias: bias, output: output, activation: activation, scratch: scratch,
        threads: threads)
    {
      return
    }
    if usesDepthwiseTapList(g) {
      depthwiseTapList(
        g, input: input, weight: weight, bias: bias, output: output, activation: activation, threads: threads)
      return
    }
    let planes = g.batch * g.outChannels
    let multiplier = g.outChannels / g.inChannels
    let taps = g.kernelHeight * g.kernelWidth
    let (paddedRows, paddedColumns) = depthwisePaddedPlane(g)
    let work = planes * g.outPlane * taps
    parallelParts(planes, threads: work >= 1 << 15 ? threads : 1) { part, range in
      let padded = scratch + part * paddedRows * paddedColumns
      var loadedPlane = -1
      for p in range {
        let n = p / g.outChannels
        let oc = p - n * g.outChannels
        let inputPlane = n * g.inChannels + oc / multiplier
        if inputPlane != loadedPlane {
          padPlane(g, input + inputPlane * g.inPlane, padded, paddedRows, paddedColumns)
          loadedPlane = inputPlane
        }
        let destination = output + p * g.outPlane
        let b = bias?[oc] ?? 0
        if g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideWidth <= 2 {
          depthwise3x3(g, UnsafePointer(padded), paddedColumns, weight + oc * taps, b, destination)
        } else {
          depthwiseGeneral(g, UnsafePointer(padded), paddedColumns, weight + oc * taps, b, destination)
        }
        activation.applyInPlace(destination, g.outPlane)
      }
    }
  }

  /// Copies one input plane into the middle of a zeroed `rows x columns` plane.
  @inline(__always)
  private static func padPlane(
    _ g: ConvGeometry, _ source: UnsafePointer<Float>, _ padded: UnsafeMutablePointer<Float>, _ rows: Int,
    _ columns: Int
  ) {
    fill(padded, 0, rows * columns)
    if g.strideWidth == 2 {
      // Even padded columns first, then odd ones, so stride-2 taps read contiguously.
      let half = (columns + 1) / 2
      for y in 0..<g.inHeight {
        let source = source + y * g.inWidth
        let row = padded + (y + g.padTop) * columns
        // Input column x sits at padded column x + padLeft; walk the even and the odd ones separately.
        let firstEven = g.padLeft & 1  // the first x whose padded column is even
        let even = row + (g.padLeft + firstEven) >> 1
        let odd = row + half + (g.padLeft + 1 - firstEven) >> 1
        var x = firstEven
        var i = 0
        while x < g.inWidth {
          even[i] = source[x]
          x += 2
          i += 1
        }
        x = 1 - firstEven
        i = 0
        while x < g.inWidth {
          odd[i] = source[x]
          x += 2
          i += 1
        }
      }
      return
    }
    for y in 0..<g.inHeight {
      copy(source + y * g.inWidth, padded + (y + g.padTop) * columns + g.padLeft, g.inWidth)
    }
  }

  /// The first element tap column `t` reads for output column 0 of a padded row, such that output column
  /// `x` reads element `x` (stride 1 and 2) or `x * stride` (larger strides).
  @inline(__always)
  private static func tap(
    _ row: UnsafePointer<Float>, _ t: Int, _ stride: Int, _ columns: Int
  ) -> UnsafePointer<Float> {
    guard stride == 2 else { return row + t }
    return row + ((t & 1 == 0) ? 0 : (columns + 1) / 2) + (t >> 1)
  }

  /// A 3 x 3 depthwise plane (stride 1 or 2 along the width) from a padded plane.
  @inline(__always)
  private static func depthwise3x3(
    _ g: ConvGeometry, _ padded: UnsafePointer<Float>, _ columns: Int, _ w: UnsafePointer<Float>,
    _ bias: Float,
    _ destination: UnsafeMutablePointer<Float>
  ) {
    let dx = g.dilationWidth
    let sw = g.strideWidth
    let width = g.outWidth
    for oy in 0..<g.outHeight {
      let r0 = padded + oy * g.strideHeight * columns
      let r1 = r0 + g.dilationHeight * columns
      let r2 = r1 + g.dilationHeight * columns
      let (a0, a1, a2) = (tap(r0, 0, sw, columns), tap(r0, dx, sw, columns), tap(r0, 2 * dx, sw, columns))
      let (b0, b1, b2) = (tap(r1, 0, sw, columns), tap(r1, dx, sw, columns), tap(r1, 2 * dx, sw, columns))
      let (c0, c1, c2) = (tap(r2, 0, sw, columns), tap(r2, dx, sw, columns), tap(r2, 2 * dx, sw, columns))
      SIMDRows.sum9(destination + oy * width, width, bias, w, a0, a1, a2, b0, b1, b2, c0, c1, c2)
    }
  }

  /// Any kernel size, stride and dilation from a padded plane: per output row, one accumulation pass per
  /// kernel row (five taps at a time for 5-wide kernels), or per tap otherwise.
  @inline(__always)
  private static func depthwiseGeneral(
    _ g: ConvGeometry, _ padded: UnsafePointer<Float>, _ columns: Int, _ w: UnsafePointer<Float>,
    _ bias: Float,
    _ destination: UnsafeMutablePointer<Float>
  ) {
    let width = g.outWidth
    let sw = g.strideWidth
    let dx = g.dilationWidth
    fill(destination, bias, g.outPlane)
    for oy in 0..<g.outHeight {
      let row = destination + oy * width
      for ky in 0..<g.kernelHeight {
        let s = padded + (oy * g.strideHeight + ky * g.dilationHeight) * columns
        let wr = w + ky * g.kernelWidth
        if g.kernelWidth == 5 && sw <= 2 {
          let (s0, s1, s2) = (tap(s, 0, sw, columns), tap(s, dx, sw, columns), tap(s, 2 * dx, sw, columns))
          let (s3, s4) = (tap(s, 3 * dx, sw, columns), tap(s, 4 * dx, sw, columns))
          SIMDRows.accumulate5(row, width, wr, s0, s1, s2, s3, s4)
          continue
        }
        for kx in 0..<g.kernelWidth {
          let wv = wr[kx]
          let t = tap(s, kx * dx, sw, columns)
          if sw <= 2 {
            SIMDRows.accumulate1(row, width, wv, t)
          } else {
            for x in 0..<width { row[x] += wv * t[x &* sw] }
          }
        }
      }
    }
  }
}
