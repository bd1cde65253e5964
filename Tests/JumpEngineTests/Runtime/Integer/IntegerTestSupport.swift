import Foundation

@testable import JumpEngine

/// A small deterministic generator (SplitMix64), so every integer kernel test sees the same data each run.
struct SplitMix64 {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform integer in `range`.
  mutating func int(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(next() % UInt64(range.count))
  }

  /// `count` int8 values in `range`.
  mutating func int8s(_ count: Int, _ range: ClosedRange<Int> = -128...127) -> [Int8] {
    (0..<count).map { _ in Int8(int(range)) }
  }

  /// A uniform double in `[low, high)`.
  mutating func double(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * Double(next() >> 11) / Double(UInt64(1) << 53)
  }
}

/// Independent scalar re-derivations of TFLite's rounding, written from the definitions (round to nearest,
/// ties away from zero) rather than from gemmlowp's bit tricks, to check `FixedPoint` against.
enum Reference {
  /// `round(x / 2^e)`, ties away from zero, on the magnitude.
  static func divideByPOT(_ x: Int64, _ e: Int) -> Int64 {
    if e == 0 { return x }
    let magnitude = (x.magnitude + (UInt64(1) << (e - 1))) >> e
    return x < 0 ? -Int64(magnitude) : Int64(magnitude)
  }

  /// `floor(a * b / 2^31 + 1/2)`: round to nearest, ties toward +infinity (ARM's `SQRDMULH`), saturating
  /// the one overflow.
  static func highMul(_ a: Int32, _ b: Int32) -> Int32 {
    if a == .min && b == .min { return .max }
    let p = Int64(a) * Int64(b)
    return Int32((p + (1 << 30)) >> 31)
  }

  /// TFLite's double-rounding requantization, restated.
  static func requantize(_ x: Int64, _ m: QuantizedMultiplier, _ mode: RoundingMode) -> Int64 {
    switch mode {
    case .double:
      let shifted = Int32(truncatingIfNeeded: x << max(m.shift, 0))
      return divideByPOT(Int64(highMul(shifted, m.multiplier)), max(-m.shift, 0))
    case .single:
      // floor(x * m / 2^(31 - shift) + 1/2): ties toward +infinity.
      let total = 31 - m.shift
      let p = x * Int64(m.multiplier)
      return (p + (Int64(1) << (total - 1))) >> total
    }
  }

  /// Clamps to `[low, high]`.
  static func clamp(_ v: Int64, _ low: Int64, _ high: Int64) -> Int64 { min(max(v, low), high) }
}

/// Runs `body` with base addresses of arrays (test-only convenience).
func withPointer<T, R>(_ a: [T], _ body: (UnsafePointer<T>) throws -> R) rethrows -> R {
  try a.withUnsafeBufferPointer { try body($0.baseAddress!) }
}

/// Runs `body` with the base address of a mutable array.
func withMutablePointer<T, R>(_ a: inout [T], _ body: (UnsafeMutablePointer<T>) throws -> R) rethrows -> R {
  try a.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
}

/// The geometry of a 2-D window op from its sizes (output size computed with floor division).
func geometry(
  batch: Int, channels: Int, height: Int, width: Int, outChannels: Int, kernel: (Int, Int),
  stride: (Int, Int) = (1, 1), pads: [Int] = [0, 0, 0, 0], dilation: (Int, Int) = (1, 1), group: Int = 1
) -> ConvGeometry {
  let oh = (height + pads[0] + pads[2] - dilation.0 * (kernel.0 - 1) - 1) / stride.0 + 1
  let ow = (width + pads[1] + pads[3] - dilation.1 * (kernel.1 - 1) - 1) / stride.1 + 1
  return ConvGeometry(
    input: [batch, channels, height, width], outChannels: outChannels, output: [batch, outChannels, oh, ow],
    kernel: [kernel.0, kernel.1], strides: [stride.0, stride.1], pads: pads,
    dilations: [dilation.0, dilation.1], group: group)!
}

/// `real = (q - zp) * scale` for a buffer.
func dequantized<T: BinaryInteger>(_ q: [T], scale: Float, zeroPoint: Int32) -> [Float] {
  q.map { Float(Int32($0) - zeroPoint) * scale }
}

/// The largest distance in output steps between int8 outputs and a float reference quantized without
/// rounding (`y / scale + zp`, clamped to `[low, high]`).
func stepsFromFloat(
  _ q: [Int8], _ y: [Float], scale: Float, zeroPoint: Int32, low: Int32 = -128, high: Int32 = 127
) -> Double {
  var worst = 0.0
  for (a, b) in zip(q, y) {
    let ideal = min(max(Double(b) / Double(scale) + Double(zeroPoint), Double(low)), Double(high))
    worst = max(worst, abs(Double(a) - ideal))
  }
  return worst
}
