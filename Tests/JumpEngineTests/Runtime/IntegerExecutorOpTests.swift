import Foundation
import JumpEngine
import Testing

/// Ops the fixture models do not reach (LOGISTIC, SUB, PAD, CONCATENATION, requantizing QUANTIZE), float
/// islands and int16x8, each against the simulation.
@Suite("Runtime: integer executor ops")
struct IntegerExecutorOpTests {
  typealias S = QuantizeTestSupport
  typealias I = IntegerExecutorSupport

  /// Conv → Sigmoid, Sub, AveragePool(count_include_pad) → PAD + AVERAGE_POOL_2D, Concat of two tensors with
  /// other readers (so both are requantized to the shared parameters), MaxPool, Gemm.
  static func elementwiseModel() throws -> Model {
    try S.model(
      input: [3, 6, 6],
      nodes: [
        Node(
          name: "conv", op: .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1])),
          inputs: ["x", "w", "b"],
          outputs: ["a"]),
        Node(name: "sigmoid", op: .sigmoid, inputs: ["a"], outputs: ["s"]),
        Node(name: "sub", op: .sub, inputs: ["a", "s"], outputs: ["d"]),
        Node(
          name: "pool",
          op: .averagePool(PoolAttributes(kernel: [3, 3], pads: [1, 1, 1, 1], countIncludePad: true)),
          inputs: ["d"], outputs: ["p"]),
        Node(name: "cat", op: .concat(axis: 1), inputs: ["p", "a", "s"], outputs: ["c"]),
        Node(
          name: "max", op: .maxPool(PoolAttributes(kernel: [2, 2], strides: [2, 2])), inputs: ["c"],
          outputs: ["m"]),
        Node(name: "flat", op: .flatten(axis: 1), inputs: ["m"], outputs: ["f"]),
        Node(name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["f", "fw", "fb"], outputs: ["y"]),
      ],
      initializers: [
        "w": Tensor(shape: [4, 3, 3, 3], floats: S.values(108, seed: 3, scale: 0.5)),
        "b": Tensor(shape: [4], floats: S.values(4, seed: 4, scale: 0.2)),
        "fw": Tensor(shape: [5, 108], floats: S.values(540, seed: 5, scale: 0.2)),
        "fb": Tensor(shape: [5], floats: S.values(5, seed: 6, scale: 0.1)),
      ])
  }

  /// End to end in int8. (In int4 the output differs by 2 steps on a few elements although every op alone is
  /// within one step, see `localAgreement`: a one-step difference in the conv output `a` becomes about 3 steps
  /// of the sigmoid, whose gain here is `0.25 · s_a · 256 ≈ 3` output steps per input step, and propagates.)
  @Test("LOGISTIC, SUB, PAD, AVERAGE_POOL_2D, requantizing QUANTIZE, CONCATENATION: within one step")
  func elementwise() throws {
    let model = try Self.elementwiseModel()
    let x = S.tensor([8, 3, 6, 6], seed: 11, scale: 2)
    let lowered = try Lowering.lower(model)
    let graph = try Quantizer.quantize(lowered, ranges: try S.minMaxRanges(model, x))
    for op in ["LOGISTIC", "SUB", "PAD", "AVERAGE_POOL_2D", "CONCATENATION", "QUANTIZE"] {
      #expect(graph.opCounts[op] != nil, "\(op) missing from \(graph.opCounts)")
    }
    let agreement = try I.agreement(graph, x, batchSize: 3)
    print("agreement elementwise int8: \(agreement)")
    for a in agreement { #expect(a.maxSteps <= 1, "\(a)") }
  }

  @Test("a layer kept in float runs between DEQUANTIZE and QUANTIZE on the float kernels")
  func floatIsland() throws {
    for name in ["cnn", "teacher"] {
      let model = try S.fixtureModel(name)
      let lowered = try Lowering.lower(model)
      let conv = try #require(lowered.graph.nodes.first { $0.op.hasWeights })
      let x = try I.calibration(name, samples: 24)
      let graph = try Quantizer.quantize(
        lowered, ranges: try S.minMaxRanges(model, x), options: QuantizationOptions(skip: [conv.sources[0]]))
      #expect(graph.opCounts["DEQUANTIZE"] == 1 && graph.opCounts["QUANTIZE"] == 1)
      let agreement = try I.agreement(graph, x, batchSize: 8)
      print("agreement \(name) float island: \(agreement)")
      for a in agreement { #expect(a.maxSteps <= 1, "\(name): \(a)") }
    }
  }

  @Test(
    "int16x8: every op of the fixtures in int16 (HARD_SWISH as ADD, MUL, MUL); none kept in float",
    arguments: ["teacher", "cnn", "dscnn", "mnv3block", "mlp", "gated"])
  func int16x8(name: String) throws {
    let model = try S.fixtureModel(name)
    let lowered = try Lowering.lower(model)
    let x = try I.calibration(name, samples: 24)
    let graph = try Quantizer.quantize(
      lowered, ranges: try S.minMaxRanges(model, x), options: QuantizationOptions(precision: .int16x8))
    #expect(graph.tensors.values.contains { $0.elementType == .int16 })
    #expect(graph.opCounts["DEQUANTIZE"] == nil, "\(name): \(graph.opCounts)")
    let local = try I.localDifferences(graph, x)
    print("local \(name) int16x8: \(local.sorted { $0.key < $1.key })")
    for (op, steps) in local { #expect(steps <= 1, "\(name) int16x8 \(op): \(steps) steps") }
    let agreement = try I.agreement(graph, x, batchSize: 8)
    print("agreement \(name) int16x8: \(agreement)")
    // Within one step only because the simulation scales int16 conv / FC outputs by the device's 16-bit
    // multiplier (`SimulationExecutor.wideRequantizationRatios`); with the exact multiplier a one-step
    // difference in cnn's first convolution became two at the output.
    for a in agreement { #expect(a.maxSteps <= 1, "\(name): \(a)") }
  }

  @Test("int16x8 LOGISTIC runs on its int16 kernel, within one step of the simulation")
  func int16Logistic() throws {
    let model = try S.model(
      input: [4], nodes: [Node(name: "s", op: .sigmoid, inputs: ["x"], outputs: ["y"])], initializers: [:])
    let x = S.tensor([64, 4], seed: 31, scale: 3)
    let graph = try Quantizer.quantize(
      try Lowering.lower(model), ranges: ["x": -9...9], options: QuantizationOptions(precision: .int16x8))
    #expect(graph.opCounts["LOGISTIC"] == 1 && graph.opCounts["DEQUANTIZE"] == nil, "\(graph.opCounts)")
    let agreement = try I.agreement(graph, x, batchSize: 16)
    print("agreement sigmoid int16x8: \(agreement)")
    for a in agreement { #expect(a.maxSteps <= 1, "\(a)") }
  }

  @Test("int16x8 op without an int16 kernel: the error names the node and suggests skip=")
  func int16Unsupported() throws {
    // The quantizer writes int16 HARD_SWISH as ADD, MUL, MUL; a graph holding it anyway is refused.
    let model = try S.model(
      input: [4], nodes: [Node(name: "s", op: .sigmoid, inputs: ["x"], outputs: ["y"])], initializers: [:])
    var graph = try Quantizer.quantize(
      try Lowering.lower(model), ranges: ["x": -3...3], options: QuantizationOptions(precision: .int16x8))
    let index = try #require(graph.nodes.firstIndex { $0.op.tfliteName == "LOGISTIC" })
    graph.nodes[index].op = .hardSwish
    let error = try #require(throws: EngineError.self) { try IntegerExecutor(graph: graph) }
    #expect(error.kind == .unsupportedOp)
    #expect(error.message.contains("'\(graph.nodes[index].name)'"), "\(error.message)")
    #expect(error.message.contains("skip"), "\(error.message)")
  }
}

extension IntegerExecutorOpTests {
  @Test("every op alone, from the integer executor's own inputs, is within one step of the simulation")
  func localAgreement() throws {
    let model = try Self.elementwiseModel()
    let x = S.tensor([8, 3, 6, 6], seed: 11, scale: 2)
    let lowered = try Lowering.lower(model)
    var cases: [(String, QuantizedGraph, Tensor)] = []
    for precision in [QuantizationPrecision.int8, .int4] {
      let graph = try Quantizer.quantize(
        lowered, ranges: try S.minMaxRanges(model, x), options: QuantizationOptions(precision: precision))
      cases.append(("elementwise \(precision)", graph, x))
    }
    for name in ["cnn", "dscnn", "mnv3block", "mlp", "teacher"] {
      let input = try I.calibration(name, samples: 8)
      for options in [QuantizationOptions(precision: .int8), QuantizationOptions(precision: .int4)] {
        cases.append(
          ("\(name) \(options.precision)", try I.quantized(name, options: options, calibration: input), input)
        )
      }
    }
    for (label, graph, input) in cases {
      let local = try I.localDifferences(graph, input)
      print("local \(label): \(local.sorted { $0.key < $1.key })")
      for (op, steps) in local { #expect(steps <= 1, "\(label) \(op): \(steps) steps") }
    }
  }
}

extension IntegerExecutorOpTests {
  @Test("a float BatchNormalization kept by lowering runs as a per-channel affine between conversions")
  func floatBatchNorm() throws {
    let model = try S.model(
      input: [2, 5, 5],
      nodes: [
        Node(name: "conv", op: .conv(ConvAttributes(kernel: [3, 3])), inputs: ["x", "w"], outputs: ["a"]),
        S.batchNorm("bn", input: "a", output: "n"),
        Node(name: "relu", op: .relu, inputs: ["n"], outputs: ["r"]),
        Node(name: "flat", op: .flatten(axis: 1), inputs: ["r"], outputs: ["f"]),
        Node(name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["f", "fw"], outputs: ["y"]),
      ],
      initializers: S.batchNormParameters("bn", channels: 3, seed: 21).merging([
        "w": Tensor(shape: [3, 2, 3, 3], floats: S.values(54, seed: 22, scale: 0.5)),
        "fw": Tensor(shape: [4, 27], floats: S.values(108, seed: 23, scale: 0.3)),
      ]) { a, _ in a })
    let x = S.tensor([6, 2, 5, 5], seed: 24)
    let lowered = try Lowering.lower(model, skip: ["bn"])
    let graph = try Quantizer.quantize(lowered, ranges: try S.minMaxRanges(model, x))
    #expect(graph.nodes.contains { $0.op.tfliteName == "FLOAT(BatchNormalization)" }, "\(graph.opCounts)")
    // The quantizer renames the island's inputs (`a#dequantized`) on the QuantizedNode only; both executors
    // must run the float node on those operands.
    _ = try SimulationExecutor(graph: graph).run(input: x)
    let agreement = try I.agreement(graph, x, batchSize: 4)
    print("agreement float BatchNormalization: \(agreement)")
    for a in agreement { #expect(a.maxSteps <= 1, "\(a)") }
  }

  @Test("recording returns the device's intermediate values, dequantized, every pass concatenated")
  func recording() throws {
    let x = try I.calibration("dscnn")
    let graph = try I.quantized("dscnn", options: .init(), calibration: x)
    let names = Set(graph.nodes.prefix(3).map { $0.outputs[0] })
    let executor = try IntegerExecutor(graph: graph, batchSize: 1)
    let result = try executor.run(input: x, recording: names)
    #expect(Set(result.recorded.keys) == names)
    for name in names {
      let tensor = try #require(result.recorded[name])
      #expect(tensor.shape == [x.shape[0]] + (try graph.tensor(name).shape.dropFirst()))
    }
    #expect(result.outputs == (try executor.run(input: x)))
    #expect(throws: EngineError.self) { try executor.run(input: x, recording: ["no such value"]) }
  }
}
