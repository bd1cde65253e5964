import Foundation
import JumpEngine

/// Small hand-built models and shared helpers for the quantization tests.
enum QuantizeTestSupport {
  /// Deterministic values in [-1, 1) from a linear congruential generator.
  static func values(_ count: Int, seed: UInt64 = 7, scale: Float = 1, offset: Float = 0) -> [Float] {
    var state = seed
    return (0..<count).map { _ -> Float in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return (Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1) * scale + offset
    }
  }

  /// A random tensor of `shape`.
  static func tensor(_ shape: [Int], seed: UInt64 = 7, scale: Float = 1, offset: Float = 0) -> Tensor {
    Tensor(shape: shape, floats: values(shape.reduce(1, *), seed: seed, scale: scale, offset: offset))
  }

  /// A model over input `x` (`[batch, ...inputShape]`, batch symbolic) with the given nodes and constants.
  static func model(
    input inputShape: [Int], output: String = "y", nodes: [Node], initializers: [String: Tensor]
  ) throws -> Model {
    let graph = Graph(
      name: "test",
      inputs: [ValueInfo(name: "x", shape: [.symbolic("batch")] + inputShape.map { .fixed($0) })],
      outputs: [ValueInfo(name: output, shape: [])], nodes: nodes, initializers: initializers, opset: 17)
    return try Model.resolving(graph, provenance: ModelProvenance(opset: 17))
  }

  /// Positive BatchNormalization parameters (scale, bias, mean, variance) for `channels` channels.
  static func batchNormParameters(_ prefix: String, channels: Int, seed: UInt64) -> [String: Tensor] {
    [
      "\(prefix)_gamma": Tensor(
        shape: [channels], floats: values(channels, seed: seed, scale: 0.5, offset: 1)),
      "\(prefix)_beta": Tensor(shape: [channels], floats: values(channels, seed: seed + 1, scale: 0.3)),
      "\(prefix)_mean": Tensor(shape: [channels], floats: values(channels, seed: seed + 2, scale: 0.2)),
      "\(prefix)_var": Tensor(
        shape: [channels], floats: values(channels, seed: seed + 3, scale: 0.3, offset: 1)),
    ]
  }

  /// The BatchNormalization node reading `input`.
  static func batchNorm(_ name: String, input: String, output: String) -> Node {
    Node(
      name: name, op: .batchNormalization(epsilon: 1e-5),
      inputs: [input, "\(name)_gamma", "\(name)_beta", "\(name)_mean", "\(name)_var"], outputs: [output])
  }

  /// Loads a fixture model (`Tests/Fixtures/models/NAME.onnx`) or the tutorial teacher (`teacher`).
  static func fixtureModel(_ name: String) throws -> Model {
    if name == "teacher" {
      return try ONNXImporter.load(
        contentsOf: RuntimeFixtures.root.appendingPathComponent("tutorials/data/teacher.onnx"))
    }
    return try ONNXImporter.load(contentsOf: RuntimeFixtures.models.appendingPathComponent("\(name).onnx"))
  }

  /// The reference input of a fixture model (`x` of its `.ref.npz`), or of the teacher (runtime fixture).
  static func fixtureInput(_ name: String) throws -> Tensor? {
    let url =
      name == "teacher"
      ? RuntimeFixtures.runtime.appendingPathComponent("teacher.ref.npz")
      : RuntimeFixtures.models.appendingPathComponent("\(name).ref.npz")
    return try RuntimeFixtures.npz(url)["x"]
  }

  /// The first `count` samples of `tutorials/data/operational.npz`.
  static func operationalSamples(_ count: Int) throws -> Tensor? {
    let all = try RuntimeFixtures.npz(
      RuntimeFixtures.root.appendingPathComponent("tutorials/data/operational.npz"))
    guard let x = all["x"], let values = x.floats else { return nil }
    let n = min(count, x.shape[0])
    let size = x.shape.dropFirst().reduce(1, *)
    return Tensor(shape: [n] + x.shape.dropFirst(), floats: Array(values[0..<(n * size)]))
  }

  /// Outputs of the float model (float executor) and of the lowered graph (simulation executor).
  static func floatAndLowered(_ model: Model, _ x: Tensor) throws -> (float: [Tensor], lowered: [Tensor]) {
    let reference = try FloatExecutor(model: model, batchSize: 4).run(input: x)
    let lowered = try Lowering.lower(model)
    let simulated = try SimulationExecutor(graph: lowered.graph, batchSize: 3).run(input: x)
    return (reference, simulated)
  }
}

extension QuantizeTestSupport {
  /// Min...max of every value of `model` over `x`, from a float pass that observes all values (what
  /// `calibrate method=minmax` records).
  static func minMaxRanges(
    _ model: Model, _ x: Tensor, batchSize: Int = 25
  ) throws -> [String: ClosedRange<Float>] {
    let executor = try FloatExecutor(model: model, batchSize: batchSize, observing: .all)
    var ranges: [String: ClosedRange<Float>] = [:]
    _ = try executor.run(input: x) { view in
      guard let low = view.values.min(), let high = view.values.max() else { return }
      ranges[view.name] =
        ranges[view.name].map { min($0.lowerBound, low)...max($0.upperBound, high) } ?? low...high
    }
    return ranges
  }

  /// Min...max of every activation of a lowered graph over `x`.
  static func minMaxRanges(_ lowered: LoweredGraph, _ x: Tensor) throws -> [String: ClosedRange<Float>] {
    var ranges: [String: ClosedRange<Float>] = [:]
    _ = try SimulationExecutor(graph: lowered.graph, batchSize: 25).run(input: x) { view in
      guard let low = view.values.min(), let high = view.values.max() else { return }
      ranges[view.name] =
        ranges[view.name].map { min($0.lowerBound, low)...max($0.upperBound, high) } ?? low...high
    }
    return ranges
  }
}
