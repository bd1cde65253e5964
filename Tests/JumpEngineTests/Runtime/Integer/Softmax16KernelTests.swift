import Foundation
import Testing

@testable import JumpEngine

@Suite("Integer runtime: int16 SOFTMAX")
struct Softmax16KernelTests {
  /// Runs the kernel on `rows x depth` codes (last axis).
  private func run(_ x: [Int16], depth: Int, _ p: Softmax16Parameters) -> [Int16] {
    var y = [Int16](repeating: 0, count: x.count)
    withPointer(x) { px in
      withMutablePointer(&y) {
        IntegerKernels.softmax(px, outer: x.count / depth, axis: depth, inner: 1, output: $0, parameters: p)
      }
    }
    return y
  }

  @Test("equal inputs share the probability; one dominant input takes it all")
  func byHand() throws {
    let p = try Softmax16Parameters(inputScale: 0.001)
    #expect(run([5, 5], depth: 2, p) == [16384, 16384])
    let four = run([-7, -7, -7, -7], depth: 4, p)
    #expect(Set(four).count == 1 && abs(Int(four[0]) - 8192) <= 1)
    // 20.0 apart: exp(-20) is below the table's range, which ends at exp(-10) (1.5 steps).
    let apart = run([20000, 0], depth: 2, p)
    #expect(apart[0] >= 32765 && apart[1] <= 2)
  }

  /// TFLite's tables are accurate to about 5e-4 of 1 (measured: at most 18 of 32768 steps here); the
  /// bit-exact check against TFLite Micro is the interop test on the `mlp` fixture.
  @Test("within 24 steps (of 32768) of float softmax; the channel axis of NCHW gives the same codes")
  func againstFloat() throws {
    for (scale, beta) in [(Float(0.0004), Float(1)), (0.002, 1), (0.0007, 0.5)] {
      let p = try Softmax16Parameters(inputScale: scale, beta: beta)
      var random = SplitMix64(seed: 180)
      let depth = 10
      let rows = 12
      let x = (0..<(rows * depth)).map { _ in Int16(random.int(-32768...32767)) }
      let y = run(x, depth: depth, p)
      for r in 0..<rows {
        let logits = (0..<depth).map { Double(beta) * Double(scale) * Double(x[r * depth + $0]) }
        let top = logits.max() ?? 0
        let exps = logits.map { Foundation.exp($0 - top) }
        let total = exps.reduce(0, +)
        for c in 0..<depth {
          let ideal = min(32768 * exps[c] / total, 32767)
          #expect(abs(Double(y[r * depth + c]) - ideal) <= 24, "scale \(scale) row \(r) class \(c)")
        }
      }
      // The same rows laid out as N x C x HW with HW = 2 (two rows per sample).
      var nchw = [Int16](repeating: 0, count: x.count)
      for n in 0..<(rows / 2) {
        for c in 0..<depth {
          for s in 0..<2 { nchw[(n * depth + c) * 2 + s] = x[(n * 2 + s) * depth + c] }
        }
      }
      var out = [Int16](repeating: 0, count: x.count)
      withPointer(nchw) { px in
        withMutablePointer(&out) {
          IntegerKernels.softmax(px, outer: rows / 2, axis: depth, inner: 2, output: $0, parameters: p)
        }
      }
      for n in 0..<(rows / 2) {
        for c in 0..<depth {
          for s in 0..<2 { #expect(out[(n * depth + c) * 2 + s] == y[(n * 2 + s) * depth + c]) }
        }
      }
    }
  }
}
