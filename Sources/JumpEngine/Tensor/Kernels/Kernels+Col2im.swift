extension Kernels {
  /// The adjoint of `im2col`: adds every cell of a `(C/group * kh * kw) x (outH * outW)` column matrix into
  /// the input cell it was read from (cells that were padding are dropped).
  ///
  /// `input` points at the group's first input channel plane of the sample. Overlapping windows add up,
  /// which makes this the input gradient of a convolution when `columns` holds `W^T * dY`. Rows are
  /// `rowStride` floats apart (default: one output plane), as `im2col` writes them.
  static func col2imAdding(
    _ g: ConvGeometry, columns: UnsafePointer<Float>, input: UnsafeMutablePointer<Float>,
    rowStride: Int? = nil
  ) {
    let outPlane = rowStride ?? g.outPlane
    var row = columns
    for c in 0..<g.inPerGroup {
      let plane = input + c * g.inPlane
      for ky in 0..<g.kernelHeight {
        for kx in 0..<g.kernelWidth {
          let offsetX = kx * g.dilationWidth
          let valid = g.validColumns(offset: offsetX)
          for oy in 0..<g.outHeight {
            let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
            if iy < 0 || iy >= g.inHeight || valid.isEmpty { continue }
            let source = row + oy * g.outWidth
            let destination = plane + iy * g.inWidth - g.padLeft + offsetX
            if g.strideWidth == 1 {
              for ox in valid { destination[ox] += source[ox] }
            } else {
              let s = g.strideWidth
              for ox in valid { destination[ox &* s] += source[ox] }
            }
          }
          row += outPlane
        }
      }
    }
  }
}
