import Foundation
import JumpEngine
import Testing

/// Lowering a float model into TFLite's op set: same outputs as the float model, and the expected rewrites.
@Suite("Quantize: lowering")
struct QuantizeLoweringTests {
  typealias S = QuantizeTestSupport

  static let models = ["cnn", "dscnn", "mlp", "mnv3block", "mnv3block_dynamo", "teacher"]

  @Test("lowered graph computes the float model's outputs", arguments: models)
  func preservesOutputs(name: String) throws {
    let model = try S.fixtureModel(name)
    let x = try #require(try S.fixtureInput(name))
    let (reference, lowered) = try S.floatAndLowered(model, x)
    #expect(lowered.count == reference.count)
    for (a, b) in zip(lowered, reference) {
      #expect(a.shape == b.shape)
      let error = RuntimeFixtures.relativeError(a.floats ?? [], b.floats ?? [])
      #expect(error < 1e-5, "\(name): relative error \(error)")
    }
  }

  @Test("fixture models lower to the expected TFLite ops")
  func opCounts() throws {
    let teacher = try Lowering.lower(try S.fixtureModel("teacher")).graph
    #expect(
      teacher.opCounts == ["CONV_2D": 4, "MAX_POOL_2D": 2, "MEAN": 1, "RESHAPE": 1, "FULLY_CONNECTED": 1])
    for node in teacher.nodes where node.op.tfliteName == "CONV_2D" {
      #expect(node.op.activation == .relu)
      #expect(node.sourceOps == ["Conv", "Relu"])
    }
    let cnn = try Lowering.lower(try S.fixtureModel("cnn")).graph
    #expect(cnn.opCounts["CONV_2D"] == 3)
    #expect(cnn.nodes.first?.sourceOps == ["Conv", "BatchNormalization", "Relu"])
    let dscnn = try Lowering.lower(try S.fixtureModel("dscnn")).graph
    #expect(dscnn.opCounts["DEPTHWISE_CONV_2D"] == 2)
    #expect(dscnn.nodes.filter { $0.op.activation == .relu6 }.count == 5)
    let mnv3 = try Lowering.lower(try S.fixtureModel("mnv3block")).graph
    #expect(mnv3.opCounts["HARD_SWISH"] == 3)
    #expect(mnv3.opCounts["DEPTHWISE_CONV_2D"] == 1)
    // HardSigmoid with alpha 1/6: ADD(+3, RELU6) then MUL(1/6); the SE multiply is a third MUL.
    #expect(mnv3.opCounts["MUL"] == 2)
    #expect(mnv3.nodes.contains { $0.op == .add(activation: .relu6) })
    let mlp = try Lowering.lower(try S.fixtureModel("mlp")).graph
    #expect(mlp.opCounts["SOFTMAX"] == 1)
    #expect(mlp.opCounts["FULLY_CONNECTED"] == 3)
  }

  @Test("BatchNormalization folds into the convolution, Relu fuses")
  func foldsBatchNorm() throws {
    let weights = Tensor(shape: [4, 3, 3, 3], floats: S.values(108, seed: 3, scale: 0.4))
    var initializers = S.batchNormParameters("bn", channels: 4, seed: 11)
    initializers["w"] = weights
    initializers["b"] = Tensor(shape: [4], floats: S.values(4, seed: 5, scale: 0.1))
    let model = try S.model(
      input: [3, 8, 8],
      nodes: [
        Node(
          name: "conv", op: .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1])),
          inputs: ["x", "w", "b"], outputs: ["c"]),
        S.batchNorm("bn", input: "c", output: "n"),
        Node(name: "relu", op: .relu, inputs: ["n"], outputs: ["y"]),
      ], initializers: initializers)
    let lowered = try Lowering.lower(model)
    #expect(lowered.graph.nodes.count == 1)
    let node = try #require(lowered.graph.nodes.first)
    #expect(node.op == .conv2D(Conv2DOptions(pads: [1, 1, 1, 1], activation: .relu)))
    #expect(node.outputs == ["y"])
    #expect(node.sources == ["conv", "bn", "relu"])
    #expect(lowered.graph.tensors[node.inputs[1]]?.data != .float32(weights.floats ?? []))
    let x = S.tensor([2, 3, 8, 8], seed: 9)
    let (reference, simulated) = try S.floatAndLowered(model, x)
    #expect(RuntimeFixtures.relativeError(simulated[0].floats ?? [], reference[0].floats ?? []) < 1e-5)
  }

  @Test("Gemm without transB, alpha, beta and a following BatchNormalization and Clip lower to one FC")
  func gemmFolding() throws {
    var initializers = S.batchNormParameters("bn", channels: 5, seed: 21)
    initializers["B"] = Tensor(shape: [6, 5], floats: S.values(30, seed: 1))
    initializers["C"] = Tensor(shape: [1, 5], floats: S.values(5, seed: 2))
    let model = try S.model(
      input: [6],
      nodes: [
        Node(
          name: "fc", op: .gemm(GemmAttributes(alpha: 0.5, beta: 2)), inputs: ["x", "B", "C"], outputs: ["f"]),
        S.batchNorm("bn", input: "f", output: "n"),
        Node(name: "clip", op: .clip(min: -0.5, max: 0.75), inputs: ["n"], outputs: ["y"]),
      ], initializers: initializers)
    let lowered = try Lowering.lower(model)
    #expect(lowered.graph.nodes.map(\.op) == [.fullyConnected(activation: .clamp(low: -0.5, high: 0.75))])
    let weights = try #require(lowered.graph.tensors[lowered.graph.nodes[0].inputs[1]])
    #expect(weights.shape == [5, 6])
    let (reference, simulated) = try S.floatAndLowered(model, S.tensor([4, 6], seed: 4))
    #expect(RuntimeFixtures.relativeError(simulated[0].floats ?? [], reference[0].floats ?? []) < 1e-5)
  }

  @Test("a BatchNormalization with nothing to fold into becomes MUL + ADD; Div by a constant becomes MUL")
  func standaloneBatchNormAndDiv() throws {
    var initializers = S.batchNormParameters("bn", channels: 3, seed: 31)
    initializers["d"] = Tensor(shape: [3, 1, 1], floats: [2, -4, 0.5])
    initializers["s"] = Tensor(shape: [], floats: [0.25])
    let model = try S.model(
      input: [3, 4, 4],
      nodes: [
        S.batchNorm("bn", input: "x", output: "n"),
        Node(name: "relu6", op: .clip(min: 0, max: 6), inputs: ["n"], outputs: ["r"]),
        Node(name: "div", op: .div, inputs: ["r", "d"], outputs: ["q"]),
        Node(name: "sub", op: .sub, inputs: ["s", "q"], outputs: ["y"]),
      ], initializers: initializers)
    let lowered = try Lowering.lower(model)
    #expect(
      lowered.graph.nodes.map(\.op) == [
        .mul(activation: .none), .add(activation: .relu6), .mul(activation: .none), .sub(activation: .none),
      ])
    #expect(lowered.derivedTensors == ["n#scaled"])
    #expect(lowered.graph.tensors[lowered.graph.nodes[3].inputs[0]]?.shape == [1, 1, 1, 1])
    let (reference, simulated) = try S.floatAndLowered(model, S.tensor([2, 3, 4, 4], seed: 6, scale: 3))
    #expect(RuntimeFixtures.relativeError(simulated[0].floats ?? [], reference[0].floats ?? []) < 1e-5)
  }

  @Test("HardSigmoid with other alpha and beta lowers to MUL, ADD+RELU6, MUL")
  func hardSigmoid() throws {
    let model = try S.model(
      input: [2, 5],
      nodes: [Node(name: "hs", op: .hardSigmoid(alpha: 0.2, beta: 0.5), inputs: ["x"], outputs: ["y"])],
      initializers: [:])
    let lowered = try Lowering.lower(model)
    #expect(
      lowered.graph.nodes.map(\.op) == [
        .mul(activation: .none), .add(activation: .relu6), .mul(activation: .none),
      ]
    )
    let (reference, simulated) = try S.floatAndLowered(model, S.tensor([3, 2, 5], seed: 8, scale: 6))
    #expect(RuntimeFixtures.relativeError(simulated[0].floats ?? [], reference[0].floats ?? []) < 1e-5)
  }

  @Test("pooling with ceil_mode and count_include_pad keeps ONNX semantics")
  func pooling() throws {
    let model = try S.model(
      input: [2, 7, 7],
      nodes: [
        Node(
          name: "max", op: .maxPool(PoolAttributes(kernel: [2, 2], strides: [2, 2], ceilMode: true)),
          inputs: ["x"], outputs: ["m"]),
        Node(
          name: "avg",
          op: .averagePool(PoolAttributes(kernel: [3, 3], pads: [1, 1, 1, 1], countIncludePad: true)),
          inputs: ["m"], outputs: ["a"]),
        Node(
          name: "ceil",
          op: .averagePool(
            PoolAttributes(
              kernel: [2, 2], strides: [2, 2], pads: [1, 1, 0, 0], ceilMode: true, countIncludePad: true)),
          inputs: ["a"], outputs: ["y"]),
      ], initializers: [:])
    let lowered = try Lowering.lower(model)
    #expect(lowered.graph.opCounts == ["MAX_POOL_2D": 1, "PAD": 2, "AVERAGE_POOL_2D": 2])
    #expect(
      lowered.graph.nodes[0].op
        == .maxPool2D(Pool2DOptions(kernel: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1])))
    let (reference, simulated) = try S.floatAndLowered(model, S.tensor([2, 2, 7, 7], seed: 10))
    #expect(simulated[0].shape == [2, 2, 3, 3])
    #expect(RuntimeFixtures.relativeError(simulated[0].floats ?? [], reference[0].floats ?? []) < 1e-5)
  }

  @Test("MatMul, ReduceMean, Squeeze, Unsqueeze, Sigmoid, Concat, Sub with a constant and Softmax lower")
  func otherOps() throws {
    let model = try S.model(
      input: [3, 4, 4],
      nodes: [
        Node(name: "mean", op: .reduceMean(axes: [-1, 2], keepDims: false), inputs: ["x"], outputs: ["m"]),
        Node(name: "mm", op: .matMul, inputs: ["m", "W"], outputs: ["f"]),
        Node(name: "sig", op: .sigmoid, inputs: ["f"], outputs: ["s"]),
        Node(name: "unsq", op: .unsqueeze(axes: [2]), inputs: ["s"], outputs: ["u"]),
        Node(name: "cat", op: .concat(axis: 1), inputs: ["u", "u"], outputs: ["c"]),
        Node(name: "sq", op: .squeeze(axes: [2]), inputs: ["c"], outputs: ["q"]),
        Node(name: "sub", op: .sub, inputs: ["q", "h"], outputs: ["d"]),
        Node(name: "max", op: .maxPool(PoolAttributes(kernel: [1])), inputs: ["u"], outputs: ["p"]),
        Node(name: "relu", op: .relu, inputs: ["d"], outputs: ["r"]),
        Node(name: "soft", op: .softmax(axis: -1), inputs: ["r"], outputs: ["y"]),
      ],
      initializers: [
        "W": Tensor(shape: [3, 5], floats: S.values(15, seed: 3)),
        "h": Tensor(shape: [10], floats: S.values(10, seed: 4)),
      ])
    let error = #expect(throws: EngineError.self) { try Lowering.lower(model) }
    #expect(error?.message.contains("only 2-D pooling lowers") == true)
    var graph = model.graph
    graph.nodes.removeAll { $0.name == "max" }
    let trimmed = try Model.resolving(graph, provenance: model.provenance)
    let lowered = try Lowering.lower(trimmed)
    #expect(
      lowered.graph.nodes.map(\.op.tfliteName) == [
        "MEAN", "FULLY_CONNECTED", "LOGISTIC", "RESHAPE", "CONCATENATION", "RESHAPE", "SUB", "SOFTMAX",
      ])
    #expect(lowered.graph.nodes[0].op == .mean(axes: [2, 3], keepDims: false))
    #expect(lowered.graph.nodes[6].op == .sub(activation: .relu))
    let x = S.tensor([2, 3, 4, 4], seed: 13)
    let (reference, simulated) = try S.floatAndLowered(trimmed, x)
    #expect(simulated[0].shape == [2, 10])
    #expect(RuntimeFixtures.relativeError(simulated[0].floats ?? [], reference[0].floats ?? []) < 1e-5)
  }

  @Test("an op with no lowering names the node and the skip that keeps it in float")
  func unsupportedOp() throws {
    let model = try S.model(
      input: [3, 4],
      nodes: [
        Node(name: "swap", op: .transpose(perm: [0, 2, 1]), inputs: ["x"], outputs: ["t"]),
        Node(name: "act", op: .relu, inputs: ["t"], outputs: ["y"]),
      ], initializers: [:])
    let error = #expect(throws: EngineError.self) { try Lowering.lower(model) }
    #expect(error?.kind == .unsupportedOp)
    #expect(
      error?.message
        == "node 'swap' (Transpose) cannot be quantized: TRANSPOSE is not in the TFLite op set JumpStation exports; skip=[\"swap\"] would keep it in float"
    )
    // Skipped, it is carried as a float node; the Relu after it becomes ADD(x, 0) with RELU fused.
    let lowered = try Lowering.lower(model, skip: ["swap"])
    #expect(lowered.skippedNodes == ["swap"])
    #expect(lowered.graph.nodes.map(\.op.tfliteName) == ["FLOAT(Transpose)", "ADD"])
    let reference = try FloatExecutor(model: model, batchSize: 2).run(input: S.tensor([2, 3, 4], seed: 12))
    let simulated = try SimulationExecutor(graph: lowered.graph).run(input: S.tensor([2, 3, 4], seed: 12))
    #expect(RuntimeFixtures.relativeError(simulated[0].floats ?? [], reference[0].floats ?? []) < 1e-6)
  }

  @Test("other unsupported forms give a reason")
  func unsupportedForms() throws {
    let grouped = try S.model(
      input: [4, 5, 5],
      nodes: [
        Node(
          name: "g", op: .conv(ConvAttributes(kernel: [1, 1], group: 2)), inputs: ["x", "w"], outputs: ["y"])
      ],
      initializers: ["w": Tensor(shape: [4, 2, 1, 1], floats: S.values(8))])
    let groupError = #expect(throws: EngineError.self) { try Lowering.lower(grouped) }
    #expect(groupError?.message.contains("grouped convolution (group 2 over 4 channels)") == true)
    let divide = try S.model(
      input: [3],
      nodes: [Node(name: "d", op: .div, inputs: ["x", "x"], outputs: ["y"])], initializers: [:])
    let divError = #expect(throws: EngineError.self) { try Lowering.lower(divide) }
    #expect(
      divError?.message.hasPrefix("node 'd' (Div) cannot be quantized: only division by a constant") == true)
  }

  @Test("skip by op type keeps every node of that type in float")
  func skipByOpType() throws {
    let model = try S.fixtureModel("mnv3block")
    let lowered = try Lowering.lower(model, skip: ["hardswish"])
    #expect(lowered.skippedNodes.count == 3)
    #expect(lowered.graph.opCounts["FLOAT(HardSwish)"] == 3)
    let x = try #require(try S.fixtureInput("mnv3block"))
    let reference = try FloatExecutor(model: model, batchSize: 4).run(input: x)
    let simulated = try SimulationExecutor(graph: lowered.graph).run(input: x)
    #expect(RuntimeFixtures.relativeError(simulated[0].floats ?? [], reference[0].floats ?? []) < 1e-5)
  }
}
