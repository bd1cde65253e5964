import Foundation
import Testing

@testable import JumpEngine

/// `Model.withStaticShapes`: the batch fixed, every shape re-inferred, other symbolic dimensions refused.
@Suite("Graph: static shapes")
struct ModelStaticShapesTests {
  @Test("a symbolic batch becomes fixed and the outputs follow")
  func fixesTheBatch() throws {
    let model = try QuantizeTestSupport.fixtureModel("mlp")
    #expect(!model.hasStaticShapes)
    let fixed = try model.withStaticShapes(batch: 4)
    #expect(fixed.hasStaticShapes)
    #expect(fixed.inputs.first?.shape.first?.value == 4)
    #expect(fixed.outputs.first?.shape.first?.value == 4)
    #expect(fixed.graph.nodes == model.graph.nodes)
  }

  @Test("a symbolic dimension other than the batch is an error naming the input")
  func refusesOtherSymbolicDimensions() throws {
    let graph = Graph(
      name: "t", inputs: [ValueInfo(name: "x", shape: [.symbolic("n"), .symbolic("len")])],
      outputs: [ValueInfo(name: "y", shape: [])],
      nodes: [Node(name: "r", op: .relu, inputs: ["x"], outputs: ["y"])], initializers: [:], opset: 17)
    let model = try Model.resolving(graph, provenance: ModelProvenance(opset: 17))
    #expect(throws: EngineError.self) { try model.withStaticShapes() }
    do {
      _ = try model.withStaticShapes()
    } catch {
      #expect(error.message.contains("input 'x' has the symbolic dimension 'len' at axis 1"))
    }
  }
}
