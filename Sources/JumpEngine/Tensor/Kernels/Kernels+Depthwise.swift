extension Kernels {
  /// Direct depthwise convolution (`group == C_in`, `C_out = C_in * multiplier`), then bias and activation.
  ///
  /// Output channel `oc` reads input channel `oc / multiplier`. Each output plane is built row by row: for
  /// every kernel tap the valid span of output columns is accumulated in one vectorizable loop. Planes are
  /// split across threads.
  static func depthwiseConv2d(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>, activation: Activation, threads: Int
  ) {
    let planes = g.batch * g.outChannels
    let multiplier = g.outChannels / g.inChannels
    let taps = g.kernelHeight * g.kernelWidth
    let work = planes * g.outPlane * taps
    parallelRanges(planes, threads: work >= 1 << 15 ? threads : 1) { range in
      for p in range {
        let n = p / g.outChannels
        let oc = p - n * g.outChannels
        let source = input + (n * g.inChannels + oc / multiplier) * g.inPlane
        let destination = output + p * g.outPlane
        depthwisePlane(g, source, weight + oc * taps, bias?[oc] ?? 0, destination)
        activation.applyInPlace(destination, g.outPlane)
      }
    }
  }

  /// One output plane of a depthwise convolution.
  @inline(__always)
  private static func depthwisePlane(
    _ g: ConvGeometry, _ source: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: Float,
    _ destination: UnsafeMutablePointer<Float>
  ) {
    fill(destination, bias, g.outPlane)
    let sw = g.strideWidth
    for oy in 0..<g.outHeight {
      let row = destination + oy * g.outWidth
      for ky in 0..<g.kernelHeight {
        let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
        if iy < 0 || iy >= g.inHeight { continue }
        let sourceRow = source + iy * g.inWidth - g.padLeft
        for kx in 0..<g.kernelWidth {
          let wv = w[ky * g.kernelWidth + kx]
          let offset = kx * g.dilationWidth
          let valid = g.validColumns(offset: offset)
          let s = sourceRow + offset
          if sw == 1 {
            for ox in valid { row[ox] += wv * s[ox] }
          } else if sw == 2 {
            for ox in valid { row[ox] += wv * s[2 * ox] }
          } else {
            for ox in valid { row[ox] += wv * s[ox * sw] }
          }
        }
      }
    }
  }
}
