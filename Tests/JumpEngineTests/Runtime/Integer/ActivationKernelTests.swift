import Foundation
import Testing

@testable import JumpEngine

@Suite("Integer runtime: logistic, softmax and hard-swish kernels")
struct IntegerActivationKernelTests {
  static let allInt8: [Int8] = (-128...127).map { Int8($0) }

  /// Output steps (scale 1/256, zero point -128) between the kernel's outputs and `f` on dequantized inputs.
  private func worstSteps(_ output: [Int8], _ reals: [Double], _ f: (Double) -> Double) -> Double {
    zip(output, reals).map { q, x in abs(Double(Int32(q) + 128) - f(x) * 256) }.max() ?? 0
  }

  @Test(
    "LOGISTIC: within one step of the float sigmoid; 0 maps to exactly 1/2",
    arguments: [
      (Float(0.1), Int32(0)), (Float(0.0625), Int32(-10)), (Float(0.02), Int32(30)),
      (Float(0.5), Int32(-128)),
    ])
  func logistic(scale: Float, zeroPoint: Int32) throws {
    for rounding in RoundingMode.allCases {
      let p = try LogisticParameters(inputScale: scale, inputZeroPoint: zeroPoint, rounding: rounding)
      var output = [Int8](repeating: 0, count: 256)
      withPointer(Self.allInt8) { x in
        withMutablePointer(&output) { IntegerKernels.logistic(x, count: 256, output: $0, parameters: p) }
      }
      let reals = Self.allInt8.map { Double(Int32($0) - zeroPoint) * Double(scale) }
      // Rounding to 1/256 costs half a step; saturation beyond |x| = 15 gives 255/256 instead of 1.
      #expect(worstSteps(output, reals) { 1 / (1 + exp(-$0)) } <= 1, "\(scale) \(zeroPoint)")
      #expect(p.apply(Int8(clamping: zeroPoint)) == 0)  // sigmoid(0) = 128/256
      #expect(zip(output, output.dropFirst()).allSatisfy { $0 <= $1 }, "monotone")
    }
  }

  @Test("LOGISTIC: radius and multiplier as TFLite Micro computes them")
  func logisticParameters() throws {
    let p = try LogisticParameters(inputScale: 0.1, inputZeroPoint: 0)
    // Float(0.1) * 2^27 = 13421773 exactly = (13421773 / 2^24) * 2^24 -> 13421773 * 2^7.
    #expect(p.inputMultiplier == QuantizedMultiplier(multiplier: 13_421_773 << 7, shift: 24))
    // floor(15 * 2^27 / 2^24) = 120: |x| >= 12.0 saturates.
    #expect(p.inputRangeRadius == 120)
    #expect(p.apply(120) == 127)
    #expect(p.apply(-120) == -128)
  }

  /// The float softmax of dequantized rows.
  private func floatSoftmax(_ row: [Int8], scale: Float, beta: Double = 1) -> [Double] {
    let x = row.map { Double($0) * Double(scale) * beta }
    let m = x.max() ?? 0
    let e = x.map { exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
  }

  @Test("SOFTMAX: equal inputs give exactly 1/n for powers of two")
  func softmaxEqual() throws {
    let p = try SoftmaxParameters(inputScale: 0.1)
    for (n, expected) in [(1, Int8(127)), (2, 0), (4, -64), (8, -96), (16, -112), (256, -127)] {
      let input = [Int8](repeating: 17, count: n)
      var output = [Int8](repeating: 0, count: n)
      withPointer(input) { x in
        withMutablePointer(&output) {
          IntegerKernels.softmax(x, outer: 1, axis: n, inner: 1, output: $0, parameters: p)
        }
      }
      #expect(output.allSatisfy { $0 == expected }, "n = \(n): \(output.prefix(4))")
    }
  }

  @Test("SOFTMAX: within one step of float on random rows; strided axis equals the contiguous one")
  func softmaxRandom() throws {
    var random = SplitMix64(seed: 80)
    for (scale, beta) in [
      (Float(0.1), Float(1)), (Float(0.05), Float(1)), (Float(0.2), Float(0.5)), (0.01, 1),
    ] {
      for rounding in RoundingMode.allCases {
        let p = try SoftmaxParameters(inputScale: scale, beta: beta, rounding: rounding)
        for depth in [2, 10, 100] {
          let rows = 8
          let input = random.int8s(rows * depth)
          var output = [Int8](repeating: 0, count: input.count)
          withPointer(input) { x in
            withMutablePointer(&output) {
              IntegerKernels.softmax(x, outer: rows, axis: depth, inner: 1, output: $0, parameters: p)
            }
          }
          var worst = 0.0
          for r in 0..<rows {
            let expected = floatSoftmax(
              Array(input[(r * depth)..<((r + 1) * depth)]), scale: scale, beta: Double(beta))
            for c in 0..<depth {
              worst = max(worst, abs(Double(Int32(output[r * depth + c]) + 128) - expected[c] * 256))
            }
          }
          #expect(worst <= 1, "scale \(scale) beta \(beta) depth \(depth) \(rounding): \(worst) steps")
          // The same data laid out as `1 x depth x rows` (softmax over NCHW channels) gives the same values.
          var transposed = [Int8](repeating: 0, count: input.count)
          for r in 0..<rows { for c in 0..<depth { transposed[c * rows + r] = input[r * depth + c] } }
          var strided = [Int8](repeating: 0, count: input.count)
          withPointer(transposed) { x in
            withMutablePointer(&strided) {
              IntegerKernels.softmax(x, outer: 1, axis: depth, inner: rows, output: $0, parameters: p)
            }
          }
          for r in 0..<rows { for c in 0..<depth { #expect(strided[c * rows + r] == output[r * depth + c]) } }
        }
      }
    }
  }

  @Test("SOFTMAX: differences beyond diff_min give -128")
  func softmaxDiffMin() throws {
    let p = try SoftmaxParameters(inputScale: 1)
    // Scale 1: multiplier 2^26 = 0.5 * 2^27, radius floor(31 * 2^26 / 2^27) = 15 steps; 40 is dropped.
    #expect(p.diffMin == -15)
    let input: [Int8] = [100, 60, 99]
    var output = [Int8](repeating: 0, count: 3)
    withPointer(input) { x in
      withMutablePointer(&output) {
        IntegerKernels.softmax(x, outer: 1, axis: 3, inner: 1, output: $0, parameters: p)
      }
    }
    #expect(output[1] == -128)
    #expect(Int(output[0]) + 128 + Int(output[2]) + 128 >= 254)
  }

  /// ONNX/TFLite hard-swish `x * relu6(x + 3) / 6`.
  private func hardSwish(_ x: Double) -> Double { x * min(max(x + 3, 0), 6) / 6 }

  @Test(
    "HARD_SWISH: within one step of float across scales; exact at 0",
    arguments: [
      (Float(0.05), Int32(0), Float(0.04), Int32(-20)), (Float(0.1), Int32(-50), Float(0.06), Int32(-100)),
      (Float(0.02), Int32(10), Float(0.02), Int32(10)), (Float(0.2), Int32(5), Float(0.15), Int32(-110)),
      (Float(0.002), Int32(0), Float(0.001), Int32(0)),
    ])
  func hardSwishFloat(inScale: Float, inZero: Int32, outScale: Float, outZero: Int32) throws {
    let p = try HardSwishParameters(
      inputScale: inScale, inputZeroPoint: inZero, outputScale: outScale, outputZeroPoint: outZero)
    var output = [Int8](repeating: 0, count: 256)
    withPointer(Self.allInt8) { x in
      withMutablePointer(&output) { IntegerKernels.hardSwish(x, count: 256, output: $0, parameters: p) }
    }
    let reals = Self.allInt8.map { Double(Int32($0) - inZero) * Double(inScale) }
    let y = reals.map { Float(hardSwish($0)) }
    let steps = stepsFromFloat(output, y, scale: outScale, zeroPoint: outZero)
    #expect(steps <= 1, "\(steps) steps")
    #expect(p.apply(Int8(clamping: inZero)) == Int8(clamping: outZero))
  }

  @Test("HARD_SWISH: parameters as TFLite computes them; too coarse an output scale is refused")
  func hardSwishParameters() throws {
    let p = try HardSwishParameters(
      inputScale: 0.05, inputZeroPoint: 0, outputScale: 0.04, outputZeroPoint: 0)
    // (0.05 / 128) / 0.04 = 0.009765625 = 0.625 * 2^-6 -> Q15 20480.
    #expect(p.outputExponent == -6)
    #expect(p.outputMultiplier == 20480)
    #expect(throws: EngineError.self) {
      try HardSwishParameters(inputScale: 20, inputZeroPoint: 0, outputScale: 0.1, outputZeroPoint: 0)
    }
  }
}
