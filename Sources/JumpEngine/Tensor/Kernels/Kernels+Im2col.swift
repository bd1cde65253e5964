import CKernels

extension Kernels {
  /// Writes the im2col matrix of one sample and one group: `(C/group * kh * kw) x (outH * outW)`.
  ///
  /// `input` points at the group's first input channel plane of the sample; cells that fall in the padding
  /// are zero. Rows are `rowStride` floats apart (default: one output plane), so several samples can share
  /// one wide matrix. On AVX-512 processors column strides 1 and 2 run in `CKernels/Im2col.c`.
  static func im2col(
    _ g: ConvGeometry, input: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>,
    rowStride: Int? = nil
  ) {
    let outPlane = rowStride ?? g.outPlane
    if vectorWidth >= 16 {
      var c = g.im2colGeometry
      if jsk_im2col_supported(&c) != 0 {
        jsk_im2col(&c, input, columns, outPlane)
        return
      }
    }
    var row = columns
    for c in 0..<g.inPerGroup {
      let plane = input + c * g.inPlane
      for ky in 0..<g.kernelHeight {
        for kx in 0..<g.kernelWidth {
          let offsetX = kx * g.dilationWidth
          let valid = g.validColumns(offset: offsetX)
          for oy in 0..<g.outHeight {
            let destination = row + oy * g.outWidth
            let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
            if iy < 0 || iy >= g.inHeight || valid.isEmpty {
              fill(destination, 0, g.outWidth)
              continue
            }
            fill(destination, 0, valid.lowerBound)
            let source = plane + iy * g.inWidth - g.padLeft + offsetX
            if g.strideWidth == 1 {
              copy(source + valid.lowerBound, destination + valid.lowerBound, valid.count)
            } else {
              let s = g.strideWidth
              for ox in valid { destination[ox] = source[ox &* s] }
            }
            fill(destination + valid.upperBound, 0, g.outWidth - valid.upperBound)
          }
          row += outPlane
        }
      }
    }
  }
}

extension ConvGeometry {
  /// One sample's group of input channels as the C im2col kernels take it (`jsk_im2col`, and the int8
  /// dot-product columns of the integer executor).
  var im2colGeometry: jsk_im2col_geometry {
    jsk_im2col_geometry(
      channels: inPerGroup, in_height: inHeight, in_width: inWidth, out_height: outHeight,
      out_width: outWidth, kernel_height: kernelHeight, kernel_width: kernelWidth,
      stride_height: strideHeight, stride_width: strideWidth, pad_top: padTop, pad_left: padLeft,
      dilation_height: dilationHeight, dilation_width: dilationWidth)
  }
}
