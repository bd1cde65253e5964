/// Explicitly vectorized row loops for the direct kernels (depthwise convolution), written with `SIMD4`
/// loads and stores so they vectorize whatever the optimizer concludes about pointer aliasing.
enum SIMDRows {
  /// Loads four floats from `p + i`.
  @inline(__always)
  static func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD4<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Float>.self)
  }

  /// Stores four floats at `p + i`.
  @inline(__always)
  static func store(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD4<Float>.self)
  }

  /// `row[x] = bias + sum_k w[k] * taps[k][x]` for nine taps (a 3 x 3 window).
  @inline(__always)
  static func sum9(
    _ row: UnsafeMutablePointer<Float>, _ width: Int, _ bias: Float, _ w: UnsafePointer<Float>,
    _ t0: UnsafePointer<Float>, _ t1: UnsafePointer<Float>, _ t2: UnsafePointer<Float>,
    _ t3: UnsafePointer<Float>, _ t4: UnsafePointer<Float>, _ t5: UnsafePointer<Float>,
    _ t6: UnsafePointer<Float>, _ t7: UnsafePointer<Float>, _ t8: UnsafePointer<Float>
  ) {
    let (w0, w1, w2, w3, w4, w5, w6, w7, w8) = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8])
    var x = 0
    while x + 4 <= width {
      var a = SIMD4(repeating: bias) + w0 * load(t0, x) + w1 * load(t1, x) + w2 * load(t2, x)
      a += w3 * load(t3, x) + w4 * load(t4, x) + w5 * load(t5, x)
      a += w6 * load(t6, x) + w7 * load(t7, x) + w8 * load(t8, x)
      store(a, row, x)
      x += 4
    }
    while x < width {
      var s = bias + w0 * t0[x] + w1 * t1[x] + w2 * t2[x]
      s += w3 * t3[x] + w4 * t4[x] + w5 * t5[x]
      s += w6 * t6[x] + w7 * t7[x] + w8 * t8[x]
      row[x] = s
      x += 1
    }
  }

  /// `row[x] += sum_k w[k] * taps[k][x]` for five taps (one row of a 5-wide window).
  @inline(__always)
  static func accumulate5(
    _ row: UnsafeMutablePointer<Float>, _ width: Int, _ w: UnsafePointer<Float>, _ t0: UnsafePointer<Float>,
    _ t1: UnsafePointer<Float>, _ t2: UnsafePointer<Float>, _ t3: UnsafePointer<Float>,
    _ t4: UnsafePointer<Float>
  ) {
    let (w0, w1, w2, w3, w4) = (w[0], w[1], w[2], w[3], w[4])
    var x = 0
    while x + 4 <= width {
      var a = load(UnsafePointer(row), x) + w0 * load(t0, x) + w1 * load(t1, x)
      a += w2 * load(t2, x) + w3 * load(t3, x) + w4 * load(t4, x)
      store(a, row, x)
      x += 4
    }
    while x < width {
      row[x] += w0 * t0[x] + w1 * t1[x] + w2 * t2[x] + w3 * t3[x] + w4 * t4[x]
      x += 1
    }
  }

  /// `row[x] += w * tap[x]`.
  @inline(__always)
  static func accumulate1(
    _ row: UnsafeMutablePointer<Float>, _ width: Int, _ w: Float, _ t: UnsafePointer<Float>
  ) {
    var x = 0
    while x + 4 <= width {
      store(load(UnsafePointer(row), x) + w * load(t, x), row, x)
      x += 4
    }
    while x < width {
      row[x] += w * t[x]
      x += 1
    }
  }
}
