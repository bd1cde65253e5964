import Foundation
import Testing

@testable import JumpEngine

@Suite("Integer runtime: int16 LOGISTIC")
struct Logistic16KernelTests {
  /// Facts of TFLite's `sigmoid_table_uint16` (256 entries): its sum, and that plain rounding of
  /// `65536 σ(i / 24)` misses it in 44 entries. The bit-exact check against TFLite Micro itself is the
  /// interop test on the `gated` fixture.
  @Test("the table is σ(i/24) in Q0.16, each point corrected by half the midpoint error: TFLite's table")
  func table() {
    let table = SigmoidTable.values
    #expect(table.count == 256)
    #expect(table[0] == 32768 && table[1] == 33451 && table[4] == 35493 && table[255] == 65535)
    #expect(table.reduce(0) { $0 + Int($1) } == 15_670_629)
    #expect(zip(table, table.dropFirst()).allSatisfy { $0 <= $1 })
    let plain = (0..<256).map { (65536 / (1 + Foundation.exp(-Double($0) / 24))).rounded() }
    let differing = zip(table, plain).filter { Double($0) != $1 }
    #expect(differing.count == 44)
    #expect(differing.allSatisfy { abs(Double($0) - $1) == 1 })
  }

  @Test("prepare: a 15-bit multiplier and a shift for 1/12288 units; 3 and no shift at scale 2^-12")
  func parameters() throws {
    let p = try Logistic16Parameters(inputScale: 0.001)
    // 0.001 * 12288 = 12.288, doubled 11 times to 25165.8, truncated.
    #expect(p.inputMultiplier == 25165 && p.inputRightShift == 11)
    let pot = try Logistic16Parameters(inputScale: 1.0 / 4096)
    #expect(pot.inputMultiplier == 3 && pot.inputRightShift == 0)
    let other = try Logistic16Parameters(inputScale: 1.0 / 2048)
    #expect(other.inputMultiplier == 24576 && other.inputRightShift == 12)
    #expect(throws: EngineError.self) { try Logistic16Parameters(inputScale: 0) }
    #expect(throws: EngineError.self) { try Logistic16Parameters(inputScale: 4) }
  }

  @Test("σ(0) is 1/2; saturation gives 32767 and 1; σ(-x) = 1 - σ(x) within one step")
  func byHand() throws {
    let p = try Logistic16Parameters(inputScale: 0.001)
    #expect(p.apply(0) == 16384)
    #expect(p.apply(.max) == 32767)
    #expect(p.apply(.min) == 1)
    for x in stride(from: 1, through: 32767, by: 37) {
      let sum = Int(p.apply(Int16(x))) + Int(p.apply(Int16(-x)))
      #expect(abs(sum - 32768) <= 1, "input \(x)")
    }
  }

  /// Measured: every int16 input at these scales lands within one step of the rounded float sigmoid.
  @Test("within one step (of 32768) of σ for every input", arguments: [0.001, 0.0003, 1.0 / 4096, 0.00005])
  func againstFloat(scale: Double) throws {
    let p = try Logistic16Parameters(inputScale: Float(scale))
    let x = (-32768...32767).map { Int16($0) }
    var y = [Int16](repeating: 0, count: x.count)
    withPointer(x) { px in
      withMutablePointer(&y) { IntegerKernels.logistic(px, count: x.count, output: $0, parameters: p) }
    }
    var worst = 0.0
    for (input, output) in zip(x, y) {
      let exact = 32768 / (1 + Foundation.exp(-Double(input) * Double(Float(scale))))
      worst = max(worst, abs(Double(output) - min(exact.rounded(), 32767)))
    }
    #expect(worst <= 1)
  }
}
