import Testing

@testable import JumpEngine

@Suite("Kernels: col2im")
struct Col2imTests {
  /// `col2imAdding` by definition: every column cell added into the input cell `im2col` read it from,
  /// padding cells dropped, onto what the input already held.
  static func reference(_ g: ConvGeometry, _ columns: [Float], into input: [Float]) -> [Float] {
    var result = input
    Im2colTests.forEachCell(g) { row, column, source in
      if let source { result[source] += columns[row * g.outPlane + column] }
    }
    return result
  }

  @Test("adds each column cell where im2col read it (im2col's cases: strides, padding, dilation)")
  func matchesDefinition() {
    for (name, g) in Im2colTests.cases {
      let columns = ConvolutionReference.values(g.columnRows * g.outPlane, seed: 5)
      let start = ConvolutionReference.values(g.inPerGroup * g.inPlane, seed: 9)
      var input = start
      columns.withUnsafeBufferPointer { c in
        input.withUnsafeMutableBufferPointer { x in
          Kernels.col2imAdding(g, columns: c.baseAddress!, input: x.baseAddress!)
        }
      }
      let expected = Self.reference(g, columns, into: start)
      let close = zip(input, expected).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }
      #expect(close, "\(name)")
    }
  }
}
