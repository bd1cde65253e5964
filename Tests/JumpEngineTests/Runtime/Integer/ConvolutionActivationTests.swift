import Testing

@testable import JumpEngine

/// Int8 requantization (vector kernel where the processor has one) against TFLite's scalar formula.
@Suite("Integer kernels: int8 requantization")
struct ConvolutionActivationTests {
  /// The scalar formula, element by element.
  static func scalar(
    _ acc: [Int32], bias: Int32, _ m: QuantizedMultiplier, _ q: ConvolutionQuantization
  ) -> [Int8] {
    acc.map { a in
      let v =
        FixedPoint.multiplyByQuantizedMultiplier(a &+ bias, m.multiplier, m.shift, q.rounding)
        &+ q.outputZeroPoint
      return Int8(truncatingIfNeeded: min(max(v, q.range.min), q.range.max))
    }
  }

  @Test(
    "every accumulator, bias, multiplier, shift, zero point, clamp and length gives the scalar bits",
    arguments: 0..<60)
  func matchesScalar(seed: Int) {
    var r = SplitMix64(seed: UInt64(1000 + seed))
    let count = r.int(1...70)
    let extremes: [Int32] = [.min, .max, 0, -1, 1, 1 << 30, -(1 << 30)]
    let acc = (0..<count).map { _ in
      r.int(0...5) == 0 ? extremes[r.int(0...6)] : Int32(r.int(-(1 << 22)...(1 << 22)))
    }
    let bias = r.int(0...9) == 0 ? extremes[r.int(0...6)] : Int32(r.int(-(1 << 16)...(1 << 16)))
    let multiplier: Int32 =
      r.int(0...9) == 0 ? [0, .max, 1 << 30][r.int(0...2)] : Int32(r.int((1 << 30)...Int(Int32.max)))
    let shift = r.int(0...4) == 0 ? r.int(-31...30) : r.int(-12...2)
    let rounding: RoundingMode = r.int(0...1) == 0 ? .double : .single
    let range =
      r.int(0...2) == 0 ? ActivationRange(min: Int32(r.int(-128...0)), max: Int32(r.int(0...127))) : .int8
    let q = ConvolutionQuantization(
      inputZeroPoint: 0, outputZeroPoint: Int32(r.int(-128...127)),
      multipliers: [QuantizedMultiplier(multiplier: multiplier, shift: shift)], range: range,
      rounding: rounding)
    let m = q.multipliers[0]
    var output = [Int8](repeating: 0, count: count)
    acc.withUnsafeBufferPointer { a in
      output.withUnsafeMutableBufferPointer { y in
        Int8.requantize(a.baseAddress!, count, bias: bias, multiplier: m, q, output: y.baseAddress!)
      }
    }
    let expected = Self.scalar(acc, bias: bias, m, q)
    #expect(output == expected, "seed \(seed): \(m) \(rounding) \(range)")
  }
}
