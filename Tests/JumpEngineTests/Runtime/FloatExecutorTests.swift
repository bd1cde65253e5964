import Foundation
import JumpEngine
import Testing

/// Behaviour of `FloatExecutor` beyond numeric parity: determinism, recording, cancellation, errors.
@Suite("FloatExecutor")
struct FloatExecutorTests {
  static func model(_ name: String) throws -> Model {
    try ONNXImporter.load(contentsOf: RuntimeFixtures.models.appendingPathComponent("\(name).onnx"))
  }

  static func input(_ shape: [Int], seed: UInt64 = 7) -> Tensor {
    var state = seed
    let values = (0..<shape.reduce(1, *)).map { _ -> Float in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
    }
    return Tensor(shape: shape, floats: values)
  }

  @Test("same thread count gives bit-identical outputs run after run", arguments: [1, 2])
  func deterministic(threads: Int) throws {
    let executor = try FloatExecutor(model: try Self.model("mnv3block"), batchSize: 5, threads: threads)
    let x = Self.input([5, 3, 32, 32])
    let first = try executor.run(input: x)
    for _ in 0..<3 { #expect(try executor.run(input: x) == first) }
    let fresh = try FloatExecutor(model: try Self.model("mnv3block"), batchSize: 5, threads: threads)
    #expect(try fresh.run(input: x) == first)
  }

  @Test("a smaller last pass gives the same rows as one full pass")
  func smallerLastPass() throws {
    let model = try Self.model("cnn")
    let x = Self.input([7, 3, 16, 20])
    let whole = try FloatExecutor(model: model, batchSize: 7).run(input: x)
    let passes = try FloatExecutor(model: model, batchSize: 3).run(input: x)
    #expect(passes.first?.shape == [7, 10])
    #expect(RuntimeFixtures.relativeError(passes[0].floats ?? [], whole[0].floats ?? []) < 1e-6)
  }

  @Test("a fixed-batch model runs any multiple of its batch")
  func fixedBatch() throws {
    let executor = try FloatExecutor(model: try Self.model("dscnn"), batchSize: 64)
    #expect(executor.batchSize == 1)
    let outputs = try executor.run(input: Self.input([3, 1, 32, 16]))
    #expect(outputs.first?.shape == [3, 12])
  }

  @Test("recording returns intermediate values, concatenated over passes")
  func recording() throws {
    let model = try Self.model("mnv3block")
    let executor = try FloatExecutor(model: model, batchSize: 2, observing: .all)
    let names = Set(model.graph.nodes.flatMap(\.outputs))
    let x = Self.input([3, 3, 32, 32])
    let inputName = executor.inputName
    let result = try executor.run(input: x, recording: names.union([inputName]))
    #expect(result.recorded.count == names.count + 1)
    #expect(result.recorded[inputName] == x)
    for (name, tensor) in result.recorded {
      #expect(tensor.shape.first == 3, "\(name) has shape \(tensor.shape)")
    }
    let plain = try FloatExecutor(model: model, batchSize: 2).run(input: x)
    #expect(RuntimeFixtures.relativeError(result.outputs[0].floats ?? [], plain[0].floats ?? []) < 1e-5)
    let output = model.graph.outputs[0].name
    #expect(result.recorded[output] == result.outputs[0])
  }

  @Test("a value fused away cannot be recorded, and the error says how to keep it")
  func fusedValueNotRecordable() throws {
    let model = try Self.model("dscnn")
    let executor = try FloatExecutor(model: model, batchSize: 1)
    let hidden = try #require(model.graph.nodes.first?.outputs.first)
    #expect(!executor.observableValues.contains(hidden))
    let error = #expect(throws: EngineError.self) {
      _ = try executor.run(input: Self.input([1, 1, 32, 16]), recording: [hidden])
    }
    #expect(error?.message.contains("observing: .all") == true)
  }

  @Test("the visitor sees every observable value once per pass")
  func visitor() throws {
    let model = try Self.model("mlp")
    let executor = try FloatExecutor(model: model, batchSize: 2, observing: .all)
    var seen: [String: Int] = [:]
    _ = try executor.run(input: Self.input([3, 1, 8, 8])) { view in
      seen[view.name, default: 0] += 1
      #expect(view.values.count == view.shape.reduce(1, *))
    }
    #expect(seen.count == executor.observableValues.count)
    #expect(seen.values.allSatisfy { $0 == 2 })
  }

  @Test("cancellation between ops throws cancelled")
  func cancellation() throws {
    let executor = try FloatExecutor(model: try Self.model("cnn"), batchSize: 2)
    var polls = 0
    let error = #expect(throws: EngineError.self) {
      _ = try executor.run(
        input: Self.input([4, 3, 16, 20]),
        isCancelled: {
          polls += 1
          return polls > 3
        })
    }
    #expect(error?.kind == .cancelled)
    // The executor stays usable after a cancelled run.
    #expect(try executor.run(input: Self.input([1, 3, 16, 20])).first?.shape == [1, 10])
  }

  @Test("an input of the wrong shape is a clear error")
  func wrongInputShape() throws {
    let executor = try FloatExecutor(model: try Self.model("cnn"), batchSize: 2)
    let error = #expect(throws: EngineError.self) { _ = try executor.run(input: Self.input([2, 3, 16, 16])) }
    #expect(error?.kind == .invalidData)
    #expect(error?.message.contains("[N, 3, 16, 20]") == true)
    #expect(throws: EngineError.self) { _ = try executor.run(input: Self.input([0, 3, 16, 20])) }
  }

  @Test("a symbolic dimension other than the batch is a clear error")
  func symbolicNonBatch() throws {
    let graph = Graph(
      name: "g", inputs: [ValueInfo(name: "x", shape: [.symbolic("N"), .symbolic("T")])],
      outputs: [ValueInfo(name: "y", shape: [])],
      nodes: [Node(name: "r", op: .relu, inputs: ["x"], outputs: ["y"])], initializers: [:], opset: 17)
    let model = try Model.resolving(graph, provenance: ModelProvenance(opset: 17))
    let error = #expect(throws: EngineError.self) { _ = try FloatExecutor(model: model, batchSize: 2) }
    #expect(error?.message.contains("'T'") == true)
  }

  @Test("buffers are reused: the arena is smaller than the sum of all activations")
  func arenaReuse() throws {
    let model = try Self.model("mnv3block")
    let executor = try FloatExecutor(model: model, batchSize: 4)
    var total = 0
    for node in model.graph.nodes {
      for name in node.outputs {
        total += (model.graph.valueInfo[name]?.concreteShape(symbolicValue: 4).reduce(1, *) ?? 0) * 4
      }
    }
    #expect(executor.arenaBytes > 0)
    #expect(executor.arenaBytes < total / 2)
  }
}
