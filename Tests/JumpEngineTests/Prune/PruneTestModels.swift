import Foundation
import JumpEngine

/// Small hand-built models for the pruning tests.
enum PruneTestModels {
  typealias S = QuantizeTestSupport

  /// conv(3→8) → BN → Relu → depthwise(8) → BN → Relu → conv(8→6, 1×1) → Relu → Flatten (6·8·8) →
  /// Gemm(384→10) → Relu → Gemm(10→4): every kind of channel consumer, a flatten and a hidden Gemm.
  static func depthwiseChain() throws -> Model {
    var initializers: [String: Tensor] = [
      "w1": S.tensor([8, 3, 3, 3], seed: 1, scale: 0.5), "b1": S.tensor([8], seed: 2, scale: 0.1),
      "dw": S.tensor([8, 1, 3, 3], seed: 3), "dw_b": S.tensor([8], seed: 4, scale: 0.1),
      "w3": S.tensor([6, 8, 1, 1], seed: 5, scale: 0.5), "fc1_w": S.tensor([384, 10], seed: 6, scale: 0.1),
      "fc1_b": S.tensor([10], seed: 7, scale: 0.1), "fc2_w": S.tensor([4, 10], seed: 8),
      "fc2_b": S.tensor([4], seed: 9, scale: 0.1),
    ]
    initializers.merge(S.batchNormParameters("bn1", channels: 8, seed: 11)) { a, _ in a }
    initializers.merge(S.batchNormParameters("bn2", channels: 8, seed: 21)) { a, _ in a }
    let nodes = [
      Node(
        name: "conv1", op: .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1])),
        inputs: ["x", "w1", "b1"],
        outputs: ["c1"]),
      S.batchNorm("bn1", input: "c1", output: "n1"),
      Node(name: "relu1", op: .relu, inputs: ["n1"], outputs: ["r1"]),
      Node(
        name: "dwconv", op: .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1], group: 8)),
        inputs: ["r1", "dw", "dw_b"], outputs: ["c2"]),
      S.batchNorm("bn2", input: "c2", output: "n2"),
      Node(name: "relu2", op: .clip(min: 0, max: 6), inputs: ["n2"], outputs: ["r2"]),
      Node(name: "conv3", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["r2", "w3"], outputs: ["c3"]),
      Node(name: "relu3", op: .relu, inputs: ["c3"], outputs: ["r3"]),
      Node(name: "flat", op: .flatten(axis: 1), inputs: ["r3"], outputs: ["f"]),
      Node(name: "fc1", op: .gemm(GemmAttributes()), inputs: ["f", "fc1_w", "fc1_b"], outputs: ["h"]),
      Node(name: "relu4", op: .relu, inputs: ["h"], outputs: ["hr"]),
      Node(
        name: "fc2", op: .gemm(GemmAttributes(transB: true)), inputs: ["hr", "fc2_w", "fc2_b"], outputs: ["y"]
      ),
    ]
    return try S.model(input: [3, 8, 8], nodes: nodes, initializers: initializers)
  }

  /// conv0(4→4) → Relu = r0; r0 → conv1(4→8) → BN → Relu → depthwise(8) → Relu → conv2(8→4) → Add(r0) →
  /// Relu → GlobalAveragePool → Flatten → Gemm(4→3): an inverted residual block.
  static func residual() throws -> Model {
    var initializers: [String: Tensor] = [
      "w0": S.tensor([4, 4, 1, 1], seed: 31), "w1": S.tensor([8, 4, 1, 1], seed: 32),
      "b1": S.tensor([8], seed: 33, scale: 0.1), "dw": S.tensor([8, 1, 3, 3], seed: 34),
      "w2": S.tensor([4, 8, 1, 1], seed: 35, scale: 0.5), "b2": S.tensor([4], seed: 36, scale: 0.1),
      "fc_w": S.tensor([3, 4], seed: 37), "fc_b": S.tensor([3], seed: 38, scale: 0.1),
    ]
    initializers.merge(S.batchNormParameters("bn1", channels: 8, seed: 41)) { a, _ in a }
    let nodes = [
      Node(name: "conv0", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["x", "w0"], outputs: ["c0"]),
      Node(name: "relu0", op: .relu, inputs: ["c0"], outputs: ["r0"]),
      Node(
        name: "conv1", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["r0", "w1", "b1"], outputs: ["c1"]),
      S.batchNorm("bn1", input: "c1", output: "n1"),
      Node(name: "relu1", op: .relu, inputs: ["n1"], outputs: ["r1"]),
      Node(
        name: "dwconv", op: .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1], group: 8)),
        inputs: ["r1", "dw"], outputs: ["c2"]),
      Node(name: "relu2", op: .relu, inputs: ["c2"], outputs: ["r2"]),
      Node(
        name: "conv2", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["r2", "w2", "b2"], outputs: ["c3"]),
      Node(name: "add", op: .add, inputs: ["r0", "c3"], outputs: ["s"]),
      Node(name: "relu3", op: .relu, inputs: ["s"], outputs: ["rs"]),
      Node(name: "pool", op: .globalAveragePool, inputs: ["rs"], outputs: ["p"]),
      Node(name: "flat", op: .flatten(axis: 1), inputs: ["p"], outputs: ["f"]),
      Node(
        name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["f", "fc_w", "fc_b"], outputs: ["y"]),
    ]
    return try S.model(input: [4, 6, 6], nodes: nodes, initializers: initializers)
  }

  /// `model` with the elements of `name` whose index along `axis` (in blocks of `inner`) is in `channels`
  /// set to zero.
  static func zeroing(
    _ model: Model, _ name: String, axis: Int, channels: [Int], inner: Int = 1
  ) throws -> Model {
    var graph = model.graph
    let tensor = try require(graph.initializers[name])
    var values = tensor.asFloats()
    let after = tensor.shape[(axis + 1)...].reduce(1, *)
    let length = tensor.shape[axis]
    for index in values.indices where channels.contains(((index / after) % length) / inner) {
      values[index] = 0
    }
    graph.initializers[name] = Tensor(shape: tensor.shape, floats: values)
    return Model(graph: graph, provenance: model.provenance)
  }

  /// The outputs of a model on `x`.
  static func run(_ model: Model, _ x: Tensor) throws -> [Float] {
    try FloatExecutor(model: model, batchSize: x.shape[0]).run(input: x)[0].asFloats()
  }
}

/// `#require` for plain helpers.
private func require<T>(_ value: T?) throws -> T {
  guard let value else { throw EngineError(.invalidData, "missing test value") }
  return value
}
