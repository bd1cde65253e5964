import Testing

@testable import JumpEngine

@Suite("FusedGraph")
struct FusedGraphTests {
  /// A linear layer as PyTorch exports it: `Gemm(x, W, b)` with `W` stored `out x in` (`transB = 1`).
  static func linear(outputs: Int, inputs: Int) -> Graph {
    Graph(
      name: "linear", inputs: [ValueInfo(name: "x", shape: [.symbolic("N"), .fixed(inputs)])],
      outputs: [ValueInfo(name: "y", shape: [.symbolic("N"), .fixed(outputs)])],
      nodes: [
        Node(name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["x", "w", "b"], outputs: ["y"])
      ],
      initializers: [
        "w": Tensor(
          shape: [outputs, inputs], floats: ConvolutionReference.values(outputs * inputs, seed: 3)),
        "b": Tensor(shape: [outputs], floats: ConvolutionReference.values(outputs, seed: 4)),
      ], opset: 17)
  }

  @Test("a Gemm's transposed constant weight is stored transposed where the vector product runs it")
  func transposesGemmWeight() throws {
    let fused = FusedGraph.make(Self.linear(outputs: 32, inputs: 3), keep: { _ in false })
    let node = try #require(fused.nodes.first?.node)
    guard Kernels.vectorWidth >= 16 else {
      #expect(node.inputs[1] == "w")
      return
    }
    #expect(node.op == .gemm(GemmAttributes(transB: false)))
    let weight = try #require(fused.constants[node.inputs[1]])
    let original = try #require(fused.constants["w"]?.floats)
    #expect(weight.shape == [3, 32])
    #expect(weight.floats?[2 * 32 + 5] == original[5 * 3 + 2])
  }

  @Test("a Gemm whose outputs are not whole vectors keeps its weight")
  func keepsOddGemmWeight() throws {
    let fused = FusedGraph.make(Self.linear(outputs: 10, inputs: 3), keep: { _ in false })
    let node = try #require(fused.nodes.first?.node)
    #expect(node.inputs[1] == "w")
    #expect(node.op == .gemm(GemmAttributes(transB: true)))
  }

  @Test("the executor's linear layer matches the definition", arguments: [1, 5])
  func executorMatches(batch: Int) throws {
    let graph = Self.linear(outputs: 48, inputs: 7)
    let model = try Model.resolving(graph, provenance: ModelProvenance(opset: 17))
    let x = ConvolutionReference.values(batch * 7, seed: 5)
    let y = try FloatExecutor(model: model, batchSize: batch).run(
      input: Tensor(shape: [batch, 7], floats: x))
    let w = try #require(graph.initializers["w"]?.floats)
    let b = try #require(graph.initializers["b"]?.floats)
    let expected = MatMulTests.reference(
      GemmAttributes(transB: true), m: batch, n: 48, k: 7, a: x, b: w, c: b, cShape: [48])
    #expect(ConvolutionReference.relativeError(try #require(y.first?.floats), expected) < 1e-5)
  }
}
