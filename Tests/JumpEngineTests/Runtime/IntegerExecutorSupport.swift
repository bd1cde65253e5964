import Foundation
import JumpEngine
import Testing

/// Building quantized graphs through the real pipeline and comparing the integer executor with the simulation.
enum IntegerExecutorSupport {
  typealias S = QuantizeTestSupport

  /// The worst disagreement between two runs of one output, in output quantization steps.
  struct Agreement: CustomStringConvertible {
    /// The output's name.
    var name: String
    /// The largest |integer − simulated| over every element, divided by the output scale.
    var maxSteps: Float
    /// How many elements differ by more than half a step (i.e. by at least one code).
    var differing: Int
    /// The element count.
    var count: Int

    var description: String { "\(name): max \(maxSteps) steps, \(differing)/\(count) elements differ" }
  }

  /// Calibration input for a fixture: the operational samples for the teacher, the reference input otherwise.
  static func calibration(_ name: String, samples: Int = 64) throws -> Tensor {
    if name == "teacher" { return try #require(try S.operationalSamples(samples)) }
    return try #require(try S.fixtureInput(name))
  }

  /// Lowers `name`, takes min/max ranges over `x` from the float model, and quantizes with `options`.
  static func quantized(
    _ name: String, options: QuantizationOptions, calibration x: Tensor
  ) throws -> QuantizedGraph {
    let model = try S.fixtureModel(name)
    let lowered = try Lowering.lower(model)
    return try Quantizer.quantize(lowered, ranges: try S.minMaxRanges(model, x), options: options)
  }

  /// Runs `graph` on `x` with both executors and measures the disagreement of every output.
  static func agreement(
    _ graph: QuantizedGraph, _ x: Tensor, batchSize: Int = 16, arithmetic: IntegerArithmetic = .tfliteMicro
  ) throws -> [Agreement] {
    let simulated = try SimulationExecutor(graph: graph, batchSize: batchSize, threads: 2).run(input: x)
    let integer = try IntegerExecutor(graph: graph, batchSize: batchSize, threads: 2, arithmetic: arithmetic)
      .run(input: x)
    var result: [Agreement] = []
    for (index, name) in graph.outputs.enumerated() {
      let tensor = try graph.tensor(name)
      let a = simulated[index].floats ?? []
      let b = integer[index].floats ?? []
      #expect(a.count == b.count && simulated[index].shape == integer[index].shape)
      let (worst, differing) = codeDifference(a, b, tensor.quantization)
      result.append(Agreement(name: name, maxSteps: worst, differing: differing, count: a.count))
    }
    return result
  }

  /// The largest difference between two sets of real values in codes of `q` (`round(v / scale)`, so float
  /// noise in the dequantized values does not count), and how many elements differ at all.
  static func codeDifference(
    _ a: [Float], _ b: [Float], _ q: QuantizationParameters?
  ) -> (steps: Float, differing: Int) {
    let scale = q?.scale ?? 1
    var worst: Float = 0
    var differing = 0
    for (u, v) in zip(a, b) {
      let steps = q == nil ? abs(u - v) : abs((u / scale).rounded() - (v / scale).rounded())
      worst = max(worst, steps)
      if steps > 0.5 { differing += 1 }
    }
    return (worst, differing)
  }

  /// Per activation, the largest difference in codes between the simulation and the integer executor
  /// (worst first), for diagnosing where two runs part.
  static func perTensorDifference(_ graph: QuantizedGraph, _ x: Tensor) throws -> [(String, Float)] {
    var simulated: [String: [Float]] = [:]
    _ = try SimulationExecutor(graph: graph, batchSize: x.shape[0]).run(input: x) { view in
      simulated[view.name] = Array(view.values)
    }
    var result: [(String, Float)] = []
    _ = try IntegerExecutor(graph: graph, batchSize: x.shape[0]).run(input: x) { view in
      guard let reference = simulated[view.name] else { return }
      result.append((view.name, codeDifference(reference, view.dequantized(), view.quantization).steps))
    }
    return result
  }

  /// The index of the largest value of each row of a `[N, classes]` tensor.
  static func argmax(_ t: Tensor) -> [Int] {
    let values = t.floats ?? t.asFloats()
    let classes = t.shape[1]
    return (0..<t.shape[0]).map { i in
      (0..<classes).max { values[i * classes + $0] < values[i * classes + $1] } ?? 0
    }
  }
}

extension IntegerExecutorSupport {
  /// Every node with one activation input, run alone on both executors from the integer executor's own
  /// input values: the worst local difference in output codes, by op (TFLite name).
  ///
  /// End-to-end differences include one-step differences of earlier layers amplified by later ones; this
  /// isolates what each kernel adds.
  static func localDifferences(_ graph: QuantizedGraph, _ x: Tensor) throws -> [String: Float] {
    var values: [String: Tensor] = [:]
    _ = try IntegerExecutor(graph: graph, batchSize: x.shape[0]).run(input: x) { view in
      values[view.name] = view.tensor()
    }
    var worst: [String: Float] = [:]
    for node in graph.nodes {
      let activations = node.inputs.filter { graph.tensors[$0]?.isConstant == false }
      guard activations.count == 1, let input = activations.first, let output = node.outputs.first,
        let value = values[input]
      else { continue }
      var tensors: [String: QuantizedTensor] = [:]
      for name in node.inputs + node.outputs { tensors[name] = graph.tensors[name] }
      let single = QuantizedGraph(
        name: node.name, tensors: tensors, inputs: [input], outputs: [output], nodes: [node])
      let simulated = try SimulationExecutor(graph: single, batchSize: x.shape[0]).run(input: value)[0]
      let integer = try IntegerExecutor(graph: single, batchSize: x.shape[0]).run(input: value)[0]
      let (steps, _) = codeDifference(
        simulated.floats ?? [], integer.floats ?? [], try graph.tensor(output).quantization)
      worst[node.op.tfliteName] = max(worst[node.op.tfliteName] ?? 0, steps)
    }
    return worst
  }
}
