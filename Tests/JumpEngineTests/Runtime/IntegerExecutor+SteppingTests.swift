import Testing

@testable import JumpEngine

/// A stepped run: the hook sees each node's inputs as the device holds them and may replace biases.
@Suite("Runtime: integer executor, stepped runs")
struct IntegerExecutorSteppingTests {
  typealias S = QuantizeTestSupport

  /// The cnn fixture quantized with min/max ranges, and inputs for it.
  static func quantized() throws -> (graph: QuantizedGraph, x: Tensor) {
    let model = try S.fixtureModel("cnn")
    let x = try #require(try S.fixtureInput("cnn"))
    let samples = S.tensor([8] + x.shape.dropFirst(), seed: 5)
    let graph = try Quantizer.quantize(try Lowering.lower(model), ranges: try S.minMaxRanges(model, samples))
    return (graph, samples)
  }

  @Test("the hook sees every node's input as a recording run shows it, right before the node runs")
  func activationsBeforeEachNode() throws {
    let (graph, x) = try Self.quantized()
    let executor = try IntegerExecutor(graph: graph, batchSize: 8)
    var seen: [String: [Float]] = [:]
    let outputs = try executor.run(input: x) { (index) throws(EngineError) in
      let input = graph.nodes[index].inputs[0]
      if let view = executor.activation(input) { seen[input] = view.dequantized() }
    }
    let recorded = try IntegerExecutor(graph: graph, batchSize: 8).run(input: x, recording: Set(seen.keys))
    #expect(!seen.isEmpty)
    for (name, values) in seen { #expect(recorded.recorded[name]?.floats == values, "\(name)") }
    #expect(outputs.map(IntegerExecutor.dequantized) == recorded.outputs)
    #expect(executor.activation(graph.inputs[0]) == nil, "no pass under way")
  }

  @Test("a bias replaced before its node runs gives the outputs of the graph with that bias")
  func replacedBias() throws {
    let (graph, x) = try Self.quantized()
    let index = try #require(graph.nodes.lastIndex { $0.op.hasWeights && $0.inputs.count == 3 })
    var bias = try graph.tensor(graph.nodes[index].inputs[2])
    guard case .int32(let values)? = bias.data else {
      Issue.record("int32 bias expected")
      return
    }
    bias.data = .int32(values.map { $0 &+ 300 })
    var changed = graph
    changed.tensors[bias.name] = bias
    let executor = try IntegerExecutor(graph: graph, batchSize: 8)
    let stepped = try executor.run(input: x) { (i) throws(EngineError) in
      if i == index { try executor.replaceBias(bias) }
    }
    let expected = try IntegerExecutor(graph: changed, batchSize: 8).runIntegers(input: x)
    let unchanged = try IntegerExecutor(graph: graph, batchSize: 8).runIntegers(input: x)
    #expect(stepped == expected)
    #expect(stepped != unchanged)
  }

  @Test("bad requests are errors: more samples than one pass, a bias the graph does not have")
  func errors() throws {
    let (graph, x) = try Self.quantized()
    let executor = try IntegerExecutor(graph: graph, batchSize: 4)
    #expect(throws: EngineError.self) { _ = try executor.run(input: x, beforeNode: { _ in }) }
    let stranger = QuantizedTensor(
      name: "no-such-bias", shape: [2], elementType: .int32, quantization: nil, data: .int32([1, 2]))
    #expect(throws: EngineError.self) { try executor.replaceBias(stranger) }
  }
}
