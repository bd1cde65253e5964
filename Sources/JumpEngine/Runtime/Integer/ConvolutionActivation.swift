import CKernels

/// An activation type of the convolution and fully connected kernels: int8 (int32 accumulators) or int16
/// (TFLite's 16x8 mode: int8 weights, int64 accumulators and bias, zero points 0).
///
/// The kernels are written once over this protocol. Everything that differs between the two modes lives
/// here: how an activation is cut into slices the exact float GEMM can multiply (`ExactFloatGEMM`), how it
/// is centred for the depthwise kernel, and TFLite's requantization of each mode.
protocol ConvolutionActivation: FixedWidthInteger, SignedInteger {
  /// The accumulator and bias type.
  associatedtype Accumulator: FixedWidthInteger & SignedInteger

  /// How many slices an activation is cut into for the GEMM; slice `i` has place value `2^(8 i)`.
  static var sliceCount: Int { get }

  /// The largest magnitude a slice of `x - zeroPoint` can have.
  static func largestSlice(zeroPoint: Int32) -> Int

  /// Writes slice `index` of `x[i] - zeroPoint` as floats, for `count` values.
  static func slice(
    _ x: UnsafePointer<Self>, count: Int, index: Int, zeroPoint: Int32,
    into result: UnsafeMutablePointer<Float>)

  /// `x - zeroPoint` for the depthwise kernel's padded plane (it fits 16 bits in both modes).
  static func centered(_ x: Self, zeroPoint: Int32) -> Int16

  /// TFLite's requantization of `count` accumulators of one output channel:
  /// `clamp(M(acc + bias) + outputZeroPoint, range)`.
  static func requantize(
    _ acc: UnsafePointer<Accumulator>, _ count: Int, bias: Accumulator, multiplier: QuantizedMultiplier,
    _ q: ConvolutionQuantization, output: UnsafeMutablePointer<Self>)
}

extension Int8: ConvolutionActivation {
  typealias Accumulator = Int32

  static var sliceCount: Int { 1 }

  static func largestSlice(zeroPoint: Int32) -> Int {
    Int(Swift.max(abs(Int32(Int8.min) - zeroPoint), abs(Int32(Int8.max) - zeroPoint)))
  }

  static func slice(
    _ x: UnsafePointer<Int8>, count: Int, index: Int, zeroPoint: Int32,
    into result: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<count { result[i] = Float(Int32(x[i]) &- zeroPoint) }
  }

  @inline(__always)
  static func centered(_ x: Int8, zeroPoint: Int32) -> Int16 {
    Int16(truncatingIfNeeded: Int32(x) &- zeroPoint)
  }

  /// TFLite's int8 requantization (`MultiplyByQuantizedMultiplier` in the device's rounding mode).
  static func requantize(
    _ acc: UnsafePointer<Int32>, _ count: Int, bias: Int32, multiplier m: QuantizedMultiplier,
    _ q: ConvolutionQuantization, output: UnsafeMutablePointer<Int8>
  ) {
    let (low, high) = (q.range.min, q.range.max)
    let zero = q.outputZeroPoint
    if Kernels.vectorWidth == 16, m.multiplier != .min, (-31...30).contains(m.shift) {
      // The same integer operations, 16 lanes at a time (`Requantize.c`).
      jsk_requantize_int8(
        acc, count, bias, m.multiplier, Int32(m.shift), zero, low, high, q.rounding == .single ? 1 : 0, output
      )
      return
    }
    switch q.rounding {
    case .double:
      for i in 0..<count {
        let v =
          FixedPoint.multiplyByQuantizedMultiplier(acc[i] &+ bias, m.multiplier, m.shift, .double) &+ zero
        output[i] = Int8(truncatingIfNeeded: v < low ? low : (v > high ? high : v))
      }
    case .single:
      for i in 0..<count {
        let v =
          FixedPoint.multiplyByQuantizedMultiplier(acc[i] &+ bias, m.multiplier, m.shift, .single) &+ zero
        output[i] = Int8(truncatingIfNeeded: v < low ? low : (v > high ? high : v))
      }
    }
  }
}

extension Int16: ConvolutionActivation {
  typealias Accumulator = Int64

  /// The low byte (0...255) and the high byte (-128...127).
  static var sliceCount: Int { 2 }

  static func largestSlice(zeroPoint: Int32) -> Int { 255 }

  /// The zero point is 0 in 16x8 mode and is not applied.
  static func slice(
    _ x: UnsafePointer<Int16>, count: Int, index: Int, zeroPoint: Int32,
    into result: UnsafeMutablePointer<Float>
  ) {
    if index == 0 {
      for i in 0..<count { result[i] = Float(Int32(x[i]) & 0xFF) }
    } else {
      for i in 0..<count { result[i] = Float(Int32(x[i]) >> 8) }
    }
  }

  @inline(__always)
  static func centered(_ x: Int16, zeroPoint: Int32) -> Int16 { x }

  /// TFLite's 16x8 requantization: the 64-bit `MultiplyByQuantizedMultiplier`, which rounds once in both
  /// rounding modes, so `q.rounding` is not used; no zero points.
  static func requantize(
    _ acc: UnsafePointer<Int64>, _ count: Int, bias: Int64, multiplier m: QuantizedMultiplier,
    _ q: ConvolutionQuantization, output: UnsafeMutablePointer<Int16>
  ) {
    for i in 0..<count {
      let v = FixedPoint.multiplyByQuantizedMultiplier(acc[i] &+ bias, m.multiplier, m.shift)
      output[i] = Int16(truncatingIfNeeded: q.range.clamp(v))
    }
  }
}
