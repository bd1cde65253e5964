import Testing

@testable import JumpEngine

@Suite("Kernels: ONNX Gemm")
struct MatMulTests {
  /// `alpha * op(A) * op(B) + beta * C` in doubles, `C` broadcast from `cShape`.
  static func reference(
    _ attributes: GemmAttributes, m: Int, n: Int, k: Int, a: [Float], b: [Float], c: [Float]?, cShape: [Int]
  ) -> [Float] {
    var y = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.0
        for p in 0..<k {
          let x = attributes.transA ? a[p * m + i] : a[i * k + p]
          let w = attributes.transB ? b[j * k + p] : b[p * n + j]
          sum += Double(x) * Double(w)
        }
        var value = Double(attributes.alpha) * sum
        if let c {
          let rows = cShape.count == 2 ? cShape[0] : 1
          let columns = cShape.last ?? 1
          value += Double(attributes.beta) * Double(c[(rows == 1 ? 0 : i) * columns + (columns == 1 ? 0 : j)])
        }
        y[i * n + j] = Float(value)
      }
    }
    return y
  }

  static func run(
    _ attributes: GemmAttributes, m: Int, n: Int, k: Int, a: [Float], b: [Float], c: [Float]?, cShape: [Int],
    threads: Int
  ) -> [Float] {
    var y = [Float](repeating: .nan, count: m * n)
    let cValues = c ?? []
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        cValues.withUnsafeBufferPointer { c in
          y.withUnsafeMutableBufferPointer { y in
            Kernels.gemm(
              attributes, m: m, n: n, k: k, a: a.baseAddress!, b: b.baseAddress!,
              c: c.isEmpty ? nil : c.baseAddress!, cShape: cShape, output: y.baseAddress!, threads: threads)
          }
        }
      }
    }
    return y
  }

  /// Linear layers on the AVX-512 product (bias `[N]`, `[1, N]` or none; row counts that leave partial
  /// tiles; 48 columns, 3 vectors) and the shapes BLAS keeps (one row, transposed operands, scaling, a
  /// bias per row, columns not whole vectors).
  static let cases: [(String, GemmAttributes, m: Int, n: Int, k: Int, cShape: [Int]?, vector: Bool)] = [
    ("bias [N]", GemmAttributes(), 13, 48, 37, [48], true),
    ("bias [1, N]", GemmAttributes(), 6, 32, 64, [1, 32], true),
    ("no bias", GemmAttributes(), 2, 16, 5, nil, true),
    ("one row", GemmAttributes(), 1, 32, 9, [32], false),
    ("transposed B", GemmAttributes(transB: true), 5, 32, 9, [32], false),
    ("transposed A", GemmAttributes(transA: true), 5, 32, 9, [32], false),
    ("alpha 2", GemmAttributes(alpha: 2), 5, 32, 9, [32], false),
    ("beta 0.5", GemmAttributes(beta: 0.5), 5, 32, 9, [32], false),
    ("bias [M, N]", GemmAttributes(), 5, 32, 9, [5, 32], false),
    ("bias [M, 1]", GemmAttributes(), 5, 32, 9, [5, 1], false),
    ("20 columns", GemmAttributes(), 5, 20, 9, [20], false),
  ]

  @Test("matches the definition on the vector product and on BLAS", arguments: [1, 2])
  func matchesDefinition(threads: Int) {
    for (name, attributes, m, n, k, cShape, vector) in Self.cases {
      let a = ConvolutionReference.values(m * k, seed: 21)
      let b = ConvolutionReference.values(k * n, seed: 22)
      let c = cShape.map { ConvolutionReference.values($0.reduce(1, *), seed: 23) }
      let uses = Kernels.usesVectorGemm(attributes, m: m, n: n, k: k, hasC: c != nil, cShape: cShape ?? [])
      #expect(uses == (vector && Kernels.vectorWidth >= 16), "\(name)")
      let expected = Self.reference(attributes, m: m, n: n, k: k, a: a, b: b, c: c, cShape: cShape ?? [])
      let actual = Self.run(
        attributes, m: m, n: n, k: k, a: a, b: b, c: c, cShape: cShape ?? [], threads: threads)
      #expect(ConvolutionReference.relativeError(actual, expected) < 1e-5, "\(name)")
    }
  }

  @Test("the vector product gives the same bits on one thread and on two")
  func deterministicAcrossThreads() {
    let (m, n, k) = (64, 512, 100)
    let a = ConvolutionReference.values(m * k, seed: 1)
    let b = ConvolutionReference.values(k * n, seed: 2)
    let c = ConvolutionReference.values(n, seed: 3)
    let one = Self.run(GemmAttributes(), m: m, n: n, k: k, a: a, b: b, c: c, cShape: [n], threads: 1)
    let two = Self.run(GemmAttributes(), m: m, n: n, k: k, a: a, b: b, c: c, cShape: [n], threads: 2)
    #expect(one.map(\.bitPattern) == two.map(\.bitPattern))
  }
}
