import Foundation
import Testing

@testable import JumpEngine

/// Whole fixture models: the training forward pass against the float executor, and the loss gradient with
/// respect to a few parameters against finite differences.
@Suite("Training: whole-model gradients")
struct ModelGradientTests {
  static let models = ["cnn", "dscnn", "mlp", "mnv3block"]

  static func load(_ name: String) throws -> (Model, Tensor) {
    let model = try ONNXImporter.load(
      contentsOf: RuntimeFixtures.models.appendingPathComponent("\(name).onnx"))
    let arrays = try RuntimeFixtures.npz(RuntimeFixtures.models.appendingPathComponent("\(name).ref.npz"))
    return (model, try #require(arrays["x"]))
  }

  @Test("inference-mode forward pass equals the float executor", arguments: models)
  func forwardParity(name: String) throws {
    let (model, x) = try Self.load(name)
    let expected = try FloatExecutor(model: model, batchSize: x.shape[0]).run(input: x)
    let pass = try TrainableGraph(model: model).forward(x, mode: .inference)
    #expect(pass.outputs.count == expected.count)
    for (actual, wanted) in zip(pass.outputs, expected) {
      #expect(actual.shape == wanted.shape)
      let error = RuntimeFixtures.relativeError(actual.floats ?? [], wanted.floats ?? [])
      #expect(error < 1e-5, "\(name): relative error \(error)")
    }
  }

  @Test("cross-entropy gradient of a few parameters matches finite differences", arguments: models)
  func modelGradient(name: String) throws {
    let (model, x) = try Self.load(name)
    let graph = try TrainableGraph(model: model)
    let names = graph.parameterNames
    let picked = [names[0], names[names.count / 2], names[names.count - 1]]
    let classes = model.outputs[0].concreteShape(symbolicValue: x.shape[0])[1]
    let labels = Tensor(shape: [x.shape[0]], int64s: (0..<x.shape[0]).map { Int64(($0 * 3 + 1) % classes) })
    let probabilities =
      model.graph.nodes.last.map { if case .softmax = $0.op { true } else { false } } ?? false
    let objective: (Tensor) throws -> LossResult = { output in
      probabilities
        ? try Loss.crossEntropy(probabilities: output, labels: labels)
        : try Loss.crossEntropy(logits: output, labels: labels)
    }
    let modes: [TrainingMode] = graph.bufferNames.isEmpty ? [.inference] : [.inference, .training]
    for mode in modes {
      // Batch statistics of two samples put many activations near a Relu or MaxPool kink, so training
      // mode needs a smaller step (with 1e-3 the differences straddle kinks; at 3e-4 they agree to 1e-3).
      let errors = try GradientHarness.errors(
        model, input: x, mode: mode, step: mode == .training ? 3e-4 : 1e-3, maxElements: 6, names: picked,
        checksInput: false,
        objective: objective)
      GradientHarness.expectSmall(errors, "\(name) \(mode)")
    }
  }

  @Test("ops the training kernels cannot run fail naming the node")
  func unsupportedForm() throws {
    let graph = Graph(
      name: "g", inputs: [ValueInfo(name: "x", fixedShape: [1, 1, 3, 3, 3])],
      outputs: [ValueInfo(name: "y", shape: [])],
      nodes: [
        Node(name: "pool3d", op: .maxPool(PoolAttributes(kernel: [2, 2, 2])), inputs: ["x"], outputs: ["y"])
      ],
      initializers: [:], opset: 17)
    let model = try Model.resolving(graph, provenance: ModelProvenance(opset: 17))
    #expect(throws: EngineError.self) { try TrainableGraph(model: model) }
    do {
      _ = try TrainableGraph(model: model)
    } catch {
      #expect(error.message.contains("pool3d"))
    }
  }
}
