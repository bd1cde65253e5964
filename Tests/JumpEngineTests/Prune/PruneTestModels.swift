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

  /// conv0(3→6) → Relu = r0; block 1: convA(6→10) → Relu → convB(10→6) → BN → Add(r0) = s1; block 2:
  /// convC(6→8) → Relu → depthwise(8) → convD(8→6) → Add(s1) = s2; Relu → convOut(6→5) → Relu →
  /// GlobalAveragePool → Flatten → Gemm(5→3): a chain of two residual Adds sharing one channel set.
  static func residualChain() throws -> Model {
    var initializers: [String: Tensor] = [
      "w0": S.tensor([6, 3, 3, 3], seed: 51, scale: 0.5), "b0": S.tensor([6], seed: 52, scale: 0.1),
      "wA": S.tensor([10, 6, 1, 1], seed: 53, scale: 0.5),
      "wB": S.tensor([6, 10, 1, 1], seed: 54, scale: 0.5),
      "bB": S.tensor([6], seed: 55, scale: 0.1), "wC": S.tensor([8, 6, 1, 1], seed: 56, scale: 0.5),
      "dw": S.tensor([8, 1, 3, 3], seed: 57), "wD": S.tensor([6, 8, 1, 1], seed: 58, scale: 0.5),
      "bD": S.tensor([6], seed: 59, scale: 0.1), "wOut": S.tensor([5, 6, 1, 1], seed: 60, scale: 0.5),
      "fc_w": S.tensor([3, 5], seed: 61), "fc_b": S.tensor([3], seed: 62, scale: 0.1),
    ]
    initializers.merge(S.batchNormParameters("bnB", channels: 6, seed: 71)) { a, _ in a }
    func conv(_ name: String, _ inputs: [String], _ output: String, kernel: Int = 1, group: Int = 1) -> Node {
      let pad = kernel / 2
      return Node(
        name: name,
        op: .conv(ConvAttributes(kernel: [kernel, kernel], pads: [pad, pad, pad, pad], group: group)),
        inputs: inputs, outputs: [output])
    }
    let nodes = [
      conv("conv0", ["x", "w0", "b0"], "c0", kernel: 3),
      Node(name: "relu0", op: .relu, inputs: ["c0"], outputs: ["r0"]),
      conv("convA", ["r0", "wA"], "cA"),
      Node(name: "reluA", op: .relu, inputs: ["cA"], outputs: ["rA"]),
      conv("convB", ["rA", "wB", "bB"], "cB"),
      S.batchNorm("bnB", input: "cB", output: "nB"),
      Node(name: "add1", op: .add, inputs: ["r0", "nB"], outputs: ["s1"]),
      conv("convC", ["s1", "wC"], "cC"),
      Node(name: "reluC", op: .relu, inputs: ["cC"], outputs: ["rC"]),
      conv("dwconv", ["rC", "dw"], "cdw", kernel: 3, group: 8),
      conv("convD", ["cdw", "wD", "bD"], "cD"),
      Node(name: "add2", op: .add, inputs: ["cD", "s1"], outputs: ["s2"]),
      Node(name: "relu2", op: .relu, inputs: ["s2"], outputs: ["r2"]),
      conv("convOut", ["r2", "wOut"], "cOut"),
      Node(name: "reluOut", op: .relu, inputs: ["cOut"], outputs: ["rOut"]),
      Node(name: "pool", op: .globalAveragePool, inputs: ["rOut"], outputs: ["p"]),
      Node(name: "flat", op: .flatten(axis: 1), inputs: ["p"], outputs: ["f"]),
      Node(
        name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["f", "fc_w", "fc_b"], outputs: ["y"]),
    ]
    return try S.model(input: [3, 6, 6], nodes: nodes, initializers: initializers)
  }

  /// conv1(4→8) → Relu → conv2(8→4) → Add(x) → GlobalAveragePool → Flatten → Gemm(4→3): the skip path is
  /// the graph input itself, so the Add's channels cannot shrink.
  static func inputResidual() throws -> Model {
    let initializers: [String: Tensor] = [
      "w1": S.tensor([8, 4, 1, 1], seed: 81), "w2": S.tensor([4, 8, 1, 1], seed: 82, scale: 0.5),
      "fc_w": S.tensor([3, 4], seed: 83), "fc_b": S.tensor([3], seed: 84, scale: 0.1),
    ]
    let nodes = [
      Node(name: "conv1", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["x", "w1"], outputs: ["c1"]),
      Node(name: "relu1", op: .relu, inputs: ["c1"], outputs: ["r1"]),
      Node(name: "conv2", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["r1", "w2"], outputs: ["c2"]),
      Node(name: "add", op: .add, inputs: ["x", "c2"], outputs: ["s"]),
      Node(name: "pool", op: .globalAveragePool, inputs: ["s"], outputs: ["p"]),
      Node(name: "flat", op: .flatten(axis: 1), inputs: ["p"], outputs: ["f"]),
      Node(
        name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["f", "fc_w", "fc_b"], outputs: ["y"]),
    ]
    return try S.model(input: [4, 5, 5], nodes: nodes, initializers: initializers)
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
