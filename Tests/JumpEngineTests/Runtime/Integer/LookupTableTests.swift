import Testing

@testable import JumpEngine

/// The executor's tabulated element-wise ops against the kernels' arithmetic, bit for bit.
@Suite("Integer kernels: lookup tables against the element-wise kernels")
struct LookupTableTests {
  @Test("HARD_SWISH and LOGISTIC tables equal the kernels on every input", arguments: 0..<6)
  func unary(seed: Int) throws {
    var r = SplitMix64(seed: UInt64(seed))
    let inputScale = Float(r.double(0.01, 0.2))
    let zeroPoint = Int32(r.int(-128...127))
    let hardSwish = try HardSwishParameters(
      inputScale: inputScale, inputZeroPoint: zeroPoint, outputScale: Float(r.double(0.01, 0.2)),
      outputZeroPoint: Int32(r.int(-128...127)), rounding: seed % 2 == 0 ? .double : .single)
    let logistic = try LogisticParameters(inputScale: inputScale, inputZeroPoint: zeroPoint)
    for (table, direct) in [
      (
        Int8LookupTable(hardSwish.apply),
        Self.run { IntegerKernels.hardSwish($0, count: 256, output: $1, parameters: hardSwish) }
      ),
      (
        Int8LookupTable(logistic.apply),
        Self.run { IntegerKernels.logistic($0, count: 256, output: $1, parameters: logistic) }
      ),
    ] {
      let looked = Self.run { IntegerKernels.lookUp(table, $0, count: 256, output: $1) }
      #expect(looked == direct)
    }
  }

  @Test("ADD, SUB and MUL tables equal the kernels over broadcasts", arguments: 0..<6)
  func binary(seed: Int) throws {
    var r = SplitMix64(seed: UInt64(10 + seed))
    let (aShape, bShape) = [
      ([2, 3, 4, 5], [2, 3, 1, 1]), ([2, 3, 4, 5], [2, 3, 4, 5]), ([1, 3, 1, 5], [2, 1, 4, 1]),
    ][
      seed % 3]
    let plan = try #require(BroadcastPlan(aShape, bShape))
    let a = r.int8s(aShape.reduce(1, *))
    let b = r.int8s(bShape.reduce(1, *))
    func scale() -> Float { Float(r.double(0.01, 0.2)) }
    func zero() -> Int32 { Int32(r.int(-128...127)) }
    let rounding: RoundingMode = seed % 2 == 0 ? .double : .single
    let add = try AddParameters(
      input1Scale: scale(), input1ZeroPoint: zero(), input2Scale: scale(), input2ZeroPoint: zero(),
      outputScale: scale(), outputZeroPoint: zero(), subtract: seed % 3 == 1, rounding: rounding)
    let mul = try MulParameters(
      input1Scale: scale(), input1ZeroPoint: zero(), input2Scale: scale(), input2ZeroPoint: zero(),
      outputScale: scale(), outputZeroPoint: zero(), rounding: rounding)
    func compute(
      _ body: (UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void
    ) -> [Int8] {
      var output = [Int8](repeating: 0, count: plan.count)
      withPointer(a) { x in withPointer(b) { y in withMutablePointer(&output) { body(x, y, $0) } } }
      return output
    }
    #expect(
      compute { IntegerKernels.lookUp(Int8LookupTable(add.apply), plan, a: $0, b: $1, output: $2) }
        == compute { IntegerKernels.add(plan, a: $0, b: $1, output: $2, parameters: add) })
    #expect(
      compute { IntegerKernels.lookUp(Int8LookupTable(mul.apply), plan, a: $0, b: $1, output: $2) }
        == compute { IntegerKernels.mul(plan, a: $0, b: $1, output: $2, parameters: mul) })
  }

  /// Runs a one-operand kernel over all 256 int8 values.
  static func run(_ body: (UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void) -> [Int8] {
    let input = (0..<256).map { Int8(truncatingIfNeeded: $0) }
    var output = [Int8](repeating: 0, count: 256)
    withPointer(input) { x in withMutablePointer(&output) { body(x, $0) } }
    return output
  }
}
