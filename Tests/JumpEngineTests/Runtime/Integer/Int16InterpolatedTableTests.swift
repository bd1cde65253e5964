import Foundation
import Testing

@testable import JumpEngine

@Suite("Integer runtime: TFLite's interpolated int16 lookup table")
struct Int16InterpolatedTableTests {
  /// The identity at unit scales (segments of 65535 / 512 steps): lookups land within one step.
  @Test("the identity table returns every input within one step")
  func identity() {
    let table = Int16InterpolatedTable(
      inputScale: 1, inputZeroPoint: 0, outputScale: 1, outputZeroPoint: 0
    ) { $0 }
    #expect(table.values.count == 513)
    #expect(table.values[0] == -32768)
    #expect(abs(Int(table.values[256])) <= 1)
    #expect(table.values[512] == 32767)
    for x in stride(from: -32768, through: 32767, by: 97) {
      #expect(abs(Int(table(Int16(x))) - x) <= 1, "input \(x)")
    }
  }

  /// Interpolation between two entries: `base + round(slope * offset / 128)`, halves rounded up.
  @Test("lookups interpolate with the low 7 bits")
  func interpolation() {
    var values = [Int16](repeating: 0, count: 513)
    values[256] = 100
    values[257] = 164
    let table = Int16InterpolatedTable(values: values)
    #expect(table(0) == 100)
    #expect(table(64) == 132)  // 100 + 64 * 64 / 128
    #expect(table(1) == 101)  // 100 + (64 + 64) >> 7
    #expect(table(127) == 164)  // 100 + (64 * 127 + 64) >> 7 = 100 + 64
    #expect(table(-1) == 99)  // segment 255, offset 127: 0 + (100 * 127 + 64) >> 7
  }

  @Test("SOFTMAX's tables end at exp(0) = 1 and 1 / (1 + 1) = 1/2 in Q0.15")
  func softmaxTables() throws {
    let p = try Softmax16Parameters(inputScale: 0.001)
    #expect(p.expTable.values[512] == 32767)  // 1.0 saturates
    #expect(p.reciprocalTable.values[0] == 32767)  // 1 / (1 + 0)
    #expect(p.reciprocalTable.values[512] == 16384)  // 1 / (1 + 1)
    // exp(-10) in Q0.15 is 1.49 steps.
    #expect(abs(Int(p.expTable.values[0]) - 1) <= 1)
    for i in stride(from: 0, through: 512, by: 32) {
      let x = -10 + 10 * Double(i) / 512
      #expect(abs(Double(p.expTable.values[i]) - 32768 * Foundation.exp(x)) <= 2, "exp entry \(i)")
    }
  }
}
