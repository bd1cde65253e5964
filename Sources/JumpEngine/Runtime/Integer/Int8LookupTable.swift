/// An int8 function of one or two int8 operands, tabulated once over every input (256 or 65,536 entries)
/// by calling the kernel's own arithmetic, so looking it up is exact by construction.
///
/// The element-wise kernels (HARD_SWISH, LOGISTIC, ADD, SUB, MUL) spend a dozen fixed-point operations per
/// element; the executor tabulates them when it plans, and a pass then costs one load per element.
struct Int8LookupTable: Sendable {
  /// The outputs, indexed by the operands' bit patterns (`x` for one operand, `x << 8 | y` for two).
  let values: [Int8]

  /// Tabulates a function of one operand.
  init(_ f: (Int8) -> Int8) {
    values = (0..<256).map { f(Int8(truncatingIfNeeded: $0)) }
  }

  /// Tabulates a function of two operands (64 KB).
  init(_ f: (Int8, Int8) -> Int8) {
    values = (0..<65_536).map { f(Int8(truncatingIfNeeded: $0 >> 8), Int8(truncatingIfNeeded: $0)) }
  }

  /// The index of one operand.
  @inline(__always)
  static func index(_ x: Int8) -> Int { Int(UInt8(bitPattern: x)) }

  /// The index of two operands.
  @inline(__always)
  static func index(_ x: Int8, _ y: Int8) -> Int {
    Int(UInt8(bitPattern: x)) << 8 | Int(UInt8(bitPattern: y))
  }
}

extension IntegerKernels {
  /// Applies a one-operand table to `count` elements.
  static func lookUp(
    _ table: Int8LookupTable, _ input: UnsafePointer<Int8>, count: Int, output: UnsafeMutablePointer<Int8>
  ) {
    table.values.withUnsafeBufferPointer { values in
      guard let values = values.baseAddress else { return }
      for i in 0..<count { output[i] = values[Int8LookupTable.index(input[i])] }
    }
  }

  /// Applies a two-operand table over a broadcast (ADD, SUB, MUL).
  static func lookUp(
    _ table: Int8LookupTable, _ plan: BroadcastPlan, a: UnsafePointer<Int8>, b: UnsafePointer<Int8>,
    output: UnsafeMutablePointer<Int8>
  ) {
    table.values.withUnsafeBufferPointer { values in
      guard let values = values.baseAddress else { return }
      broadcastRows(plan, a: a, b: b, output: output) { x, y in values[Int8LookupTable.index(x, y)] }
    }
  }
}
