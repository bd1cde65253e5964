import CKernels

/// The int8 weights of a CONV_2D or FULLY_CONNECTED laid out for the exact int32 GEMM of
/// `jsk_int8_dot_gemm` (AVX-512 VNNI), made once per node where the processor has it.
///
/// The GEMM multiplies `x + 128` (unsigned bytes) by the weights, which adds `(128 + z) · Σ_k w[o, k]` to
/// TFLite's accumulator `Σ_k w[o, k] · (x_k − z)` of output channel `o` (`z` the input zero point; padded taps,
/// `x = z`, add nothing either way). Each row's accumulators therefore start at `starts[o] = −(128 + z) ·
/// Σ_k w[o, k]`, and the result is TFLite's int32 accumulator bit for bit, in wrapping int32 arithmetic
/// like TFLite's own.
struct Int8DotWeights {
  /// `rows × depth4 · 4` weights, each row's depth padded with zeros to a multiple of 4.
  let values: [Int8]
  /// The accumulators' starting value per row.
  let starts: [Int32]
  /// Groups of 4 terms per row.
  let depth4: Int

  /// True on processors that run the GEMM (read once).
  static let isSupported = jsk_int8_dot_supported() == 1

  /// Lays out `rows × depth` weights (OIHW order) read by an input with zero point `inputZeroPoint`.
  init(_ weight: UnsafePointer<Int8>, rows: Int, depth: Int, inputZeroPoint: Int32) {
    let depth4 = (depth + 3) / 4
    let stride = depth4 * 4
    var values = [Int8](repeating: 0, count: rows * stride)
    var starts = [Int32](repeating: 0, count: rows)
    let shift = 128 &+ inputZeroPoint
    for r in 0..<rows {
      var sum: Int32 = 0
      for k in 0..<depth {
        let w = weight[r * depth + k]
        values[r * stride + k] = w
        sum &+= Int32(w)
      }
      starts[r] = 0 &- shift &* sum
    }
    self.values = values
    self.starts = starts
    self.depth4 = depth4
  }
}
