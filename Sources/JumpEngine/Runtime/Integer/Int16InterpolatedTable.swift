import Foundation

/// TFLite's 513-entry int16 lookup table with linear interpolation (`LUTPopulate<int16_t>` / `LUTLookup`),
/// bit for bit.
///
/// The int16 input range is cut into 512 segments; an input's top 9 bits pick the segment and its low 7
/// bits interpolate between the segment's two ends. TFLite fills the table in `float` from a float function,
/// nudging each entry by half the interpolation error at the segment's midpoint, so the table (and every
/// output) depends on `float` rounding: it is built here with the same `Float` operations in the same order.
struct Int16InterpolatedTable: Equatable, Sendable {
  /// The 513 entries.
  let values: [Int16]

  /// TFLite's `LUTPopulateInt16<float>`: `transform` sampled over the input range of (`inputScale`,
  /// `inputZeroPoint`), written at (`outputScale`, `outputZeroPoint`).
  init(
    inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32,
    _ transform: (Float) -> Float
  ) {
    let inputMin = inputScale * Float(Int32(Int16.min) - inputZeroPoint)
    let inputMax = inputScale * Float(Int32(Int16.max) - inputZeroPoint)
    let outputMin = outputScale * Float(Int32(Int16.min) - outputZeroPoint)
    let outputMax = outputScale * Float(Int32(Int16.max) - outputZeroPoint)
    let steps = 512
    let step = (inputMax - inputMin) / Float(steps)
    let halfStep = step / 2
    let scalingInverse = Float(65536) / (outputMax - outputMin)
    func clamped(_ v: Float) -> Int16 { Int16(min(max(v, Float(Int16.min)), Float(Int16.max))) }
    var values = [Int16](repeating: 0, count: steps + 1)
    for i in 0..<steps {
      let start = inputMin + Float(i) * step
      let value = transform(start)
      let midpoint = transform(start + halfStep)
      let next = transform(inputMin + Float(i + 1) * step)
      let sample = (value * scalingInverse).rounded()
      let interpolated = ((next * scalingInverse + (value * scalingInverse).rounded()) / 2).rounded()
      let exactMidpoint = (midpoint * scalingInverse).rounded()
      let bias = ((interpolated - exactMidpoint) / 2).rounded()
      values[i] = clamped(sample - bias)
    }
    values[steps] = clamped((transform(inputMax) * scalingInverse).rounded())
    self.values = values
  }

  /// A table of 513 given entries.
  init(values: [Int16]) {
    precondition(values.count == 513, "an interpolated int16 table has 513 entries")
    self.values = values
  }

  /// TFLite's `LUTLookup(int16_t, const int16_t*)`.
  @inline(__always)
  func callAsFunction(_ x: Int16) -> Int16 {
    let index = 256 + Int(x >> 7)
    let offset = Int32(x & 0x7F)
    let base = values[index]
    // The C++ stores the slope in an int16_t.
    let slope = Int32(Int16(truncatingIfNeeded: Int32(values[index + 1]) - Int32(base)))
    let delta = (slope &* offset &+ 64) >> 7
    return Int16(truncatingIfNeeded: Int32(base) &+ delta)
  }
}
