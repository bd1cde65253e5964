/// The int8 weights of a CONV_2D or FULLY_CONNECTED as the exact float GEMM of `IntegerKernels.convolve`
/// reads them: `rows x depth` floats (`C_out x C_in/group*kh*kw`, the OIHW order), made once per node.
///
/// Why float is exact: an int8 weight times an activation slice is an integer of magnitude at most
/// `largestWeight * largestSlice`, so any sum of at most `chunk` such products, taken in any order with or
/// without fused multiply-adds, stays within 2^24, where float holds every integer. The GEMM therefore sums
/// at most `chunk` terms in float and adds the chunks' results in integers, which gives TFLite's int32 (or
/// int64) accumulator bit for bit, at the speed of OpenBLAS's SGEMM rather than of a scalar integer loop.
struct PackedConvolutionWeights {
  /// The weights as floats, row-major `rows x depth` (empty when `dot` replaces the float GEMM).
  let values: [Float]
  /// Output channels (or units).
  let rows: Int
  /// Terms per output: `C_in/group * kh * kw` (or the input depth).
  let depth: Int
  /// The most terms one float GEMM may sum exactly (at least 1, at most `depth`).
  let chunk: Int
  /// The same weights for the int8 dot-product GEMM, which replaces the float one where the processor
  /// has it (int8 activations only).
  let dot: Int8DotWeights?

  /// Packs `rows * depth` int8 weights for activations whose slices reach `largestSlice` in magnitude;
  /// with `int8InputZeroPoint` (int8 activations), also for the dot-product GEMM when the processor has it.
  init(
    _ weight: UnsafePointer<Int8>, rows: Int, depth: Int, largestSlice: Int, int8InputZeroPoint: Int32? = nil
  ) {
    self.rows = rows
    self.depth = depth
    dot =
      int8InputZeroPoint.flatMap { zeroPoint in
        Int8DotWeights.isSupported
          ? Int8DotWeights(weight, rows: rows, depth: depth, inputZeroPoint: zeroPoint) : nil
      }
    let count = rows * depth
    var largestWeight = 0
    for i in 0..<count { largestWeight = max(largestWeight, Int(weight[i].magnitude)) }
    let bound = largestWeight * largestSlice
    chunk = bound == 0 ? max(depth, 1) : max(1, min(depth, Self.exactIntegers / bound))
    guard dot == nil else {
      values = []
      return
    }
    values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      for i in 0..<count { buffer[i] = Float(weight[i]) }
      initialized = count
    }
  }

  /// Float represents every integer of magnitude up to 2^24.
  static let exactIntegers = 1 << 24
}
