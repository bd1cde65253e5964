import Foundation
import Testing

@testable import JumpEngine

@Suite("Integer runtime: int16 add, sub and mul kernels")
struct Int16ElementwiseKernelTests {
  /// `count` int16 values.
  private func int16s(_ random: inout SplitMix64, _ count: Int) -> [Int16] {
    (0..<count).map { _ in Int16(random.int(-32768...32767)) }
  }

  @Test("int16 ADD: hand-computed values with left shift 15, ties rounded away from zero")
  func addByHand() throws {
    // s1 = s2 = 0.001, s_out = 0.002: input multipliers 0.5, output multiplier 2^-15.
    let p = try AddParameters(
      input1Scale: 0.001, input1ZeroPoint: 0, input2Scale: 0.001, input2ZeroPoint: 0, outputScale: 0.002,
      outputZeroPoint: 0, range: .int16, bits: 16)
    #expect(p.leftShift == 15)
    #expect(p.input1Multiplier == QuantizedMultiplier(multiplier: 1 << 30, shift: 0))
    #expect(p.outputMultiplier == QuantizedMultiplier(multiplier: 1 << 30, shift: -14))
    #expect(p.apply(Int16(1000), Int16(500)) == 750)  // 1.0 + 0.5 = 1.5 = 750 * 0.002
    #expect(p.apply(Int16(1), Int16(0)) == 1)  // 0.5 steps: away from zero
    #expect(p.apply(Int16(-1), Int16(0)) == -1)
    #expect(p.apply(Int16(32767), Int16(32767)) == 32767)  // 65.534 / 0.002 = 32767
    let sub = try AddParameters(
      input1Scale: 0.001, input1ZeroPoint: 0, input2Scale: 0.001, input2ZeroPoint: 0, outputScale: 0.002,
      outputZeroPoint: 0, range: .int16, subtract: true, bits: 16)
    #expect(sub.apply(Int16(1000), Int16(500)) == 250)
    #expect(sub.apply(Int16(-32768), Int16(32767)) == -32768)  // -32767.5 steps: away from zero
  }

  @Test("int16 ADD and SUB: exact against the Int64 restatement over broadcasts, within one step of float")
  func addAgainstReference() throws {
    let scales: (Float, Float, Float) = (0.0011, 0.00042, 0.0017)
    for rounding in RoundingMode.allCases {
      for subtract in [false, true] {
        let p = try AddParameters(
          input1Scale: scales.0, input1ZeroPoint: 0, input2Scale: scales.1, input2ZeroPoint: 0,
          outputScale: scales.2, outputZeroPoint: 0, range: .int16, subtract: subtract, bits: 16,
          rounding: rounding)
        var random = SplitMix64(seed: 160)
        let plan = try #require(BroadcastPlan([2, 3, 4, 5], [1, 3, 1, 1]))
        let a = int16s(&random, 120)
        let b = int16s(&random, 3)
        var output = [Int16](repeating: 0, count: plan.count)
        withPointer(a) { pa in
          withPointer(b) { pb in
            withMutablePointer(&output) { IntegerKernels.add(plan, a: pa, b: pb, output: $0, parameters: p) }
          }
        }
        for i in 0..<plan.count {
          let x = a[i]
          let y = b[(i / 20) % 3]
          let sa = Reference.requantize(Int64(x) << 15, p.input1Multiplier, rounding)
          let sb = Reference.requantize(Int64(y) << 15, p.input2Multiplier, rounding)
          let v = Reference.requantize(subtract ? sa - sb : sa + sb, p.outputMultiplier, rounding)
          #expect(Int64(output[i]) == Reference.clamp(v, -32768, 32767), "element \(i)")
          let real = Double(x) * Double(scales.0) + (subtract ? -1 : 1) * Double(y) * Double(scales.1)
          let ideal = min(max(real / Double(scales.2), -32768), 32767)
          #expect(abs(Double(output[i]) - ideal) <= 1, "element \(i)")
        }
      }
    }
  }

  @Test("int16 MUL: hand-computed values and exact against the Int64 restatement")
  func mul() throws {
    // 0.01 * 0.02 / 0.005 = 0.04 = 0.64 * 2^-4.
    let p = try MulParameters(
      input1Scale: 0.01, input1ZeroPoint: 0, input2Scale: 0.02, input2ZeroPoint: 0, outputScale: 0.005,
      outputZeroPoint: 0, range: .int16)
    #expect(p.apply(Int16(100), Int16(50)) == 200)  // 1.0 * 1.0 = 1.0 = 200 * 0.005
    #expect(p.apply(Int16(-100), Int16(50)) == -200)
    #expect(p.apply(Int16(32767), Int16(32767)) == 32767)  // saturates
    #expect(p.apply(Int16(25), Int16(1)) == 1)  // 0.04 * 25 = 1.0 step
    for rounding in RoundingMode.allCases {
      let q = try MulParameters(
        input1Scale: 0.0013, input1ZeroPoint: 0, input2Scale: 0.00007, input2ZeroPoint: 0,
        outputScale: 0.0021, outputZeroPoint: 0, range: .int16, rounding: rounding)
      var random = SplitMix64(seed: 170)
      let plan = try #require(BroadcastPlan([64], [64]))
      let a = int16s(&random, 64)
      let b = int16s(&random, 64)
      var output = [Int16](repeating: 0, count: 64)
      withPointer(a) { pa in
        withPointer(b) { pb in
          withMutablePointer(&output) { IntegerKernels.mul(plan, a: pa, b: pb, output: $0, parameters: q) }
        }
      }
      for i in 0..<64 {
        let v = Reference.requantize(Int64(a[i]) * Int64(b[i]), q.multiplier, rounding)
        #expect(Int64(output[i]) == Reference.clamp(v, -32768, 32767), "element \(i)")
      }
    }
  }
}
