import Foundation
import JumpEngine
import Testing

/// Cross-layer equalization: the same float function, equal channel ranges, better per-tensor quantization.
@Suite("Quantize: cross-layer equalization")
struct CrossLayerEqualizationTests {
  typealias S = QuantizeTestSupport

  /// A depthwise-separable network whose BatchNormalizations give channels ranges that differ by two
  /// orders of magnitude (what folding does to MobileNets): conv → BN → Relu → depthwise → BN → Relu →
  /// conv → BN → Relu → global pool → Gemm.
  static func depthwiseNetwork() throws -> Model {
    let c = 8
    var initializers: [String: Tensor] = [
      "w1": S.tensor([c, 3, 3, 3], seed: 31, scale: 0.5), "w2": S.tensor([c, 1, 3, 3], seed: 32),
      "w3": S.tensor([c, c, 1, 1], seed: 33, scale: 0.5), "fc_w": S.tensor([4, c], seed: 34),
      "fc_b": S.tensor([4], seed: 35, scale: 0.1),
    ]
    for (name, seed) in [("bn1", UInt64(41)), ("bn2", 51), ("bn3", 61)] {
      var parameters = S.batchNormParameters(name, channels: c, seed: seed)
      // Gammas from 0.02 to 5, spread log-uniformly over the channels in a seed-dependent order.
      let order = S.values(c, seed: seed + 7).enumerated().sorted { $0.element < $1.element }.map(\.offset)
      var gamma = [Float](repeating: 0, count: c)
      for (rank, channel) in order.enumerated() {
        gamma[channel] = 0.02 * pow(250, Float(rank) / Float(c - 1))
      }
      parameters["\(name)_gamma"] = Tensor(shape: [c], floats: gamma)
      parameters["\(name)_beta"] = Tensor(shape: [c], floats: gamma.map { $0 * 0.2 })
      initializers.merge(parameters) { a, _ in a }
    }
    let nodes = [
      Node(
        name: "conv1", op: .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1])), inputs: ["x", "w1"],
        outputs: ["c1"]),
      S.batchNorm("bn1", input: "c1", output: "b1"),
      Node(name: "relu1", op: .relu, inputs: ["b1"], outputs: ["r1"]),
      Node(
        name: "dw", op: .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1], group: c)),
        inputs: ["r1", "w2"], outputs: ["c2"]),
      S.batchNorm("bn2", input: "c2", output: "b2"),
      Node(name: "relu2", op: .relu, inputs: ["b2"], outputs: ["r2"]),
      Node(name: "conv3", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["r2", "w3"], outputs: ["c3"]),
      S.batchNorm("bn3", input: "c3", output: "b3"),
      Node(name: "relu3", op: .relu, inputs: ["b3"], outputs: ["r3"]),
      Node(name: "pool", op: .globalAveragePool, inputs: ["r3"], outputs: ["p"]),
      Node(name: "flat", op: .flatten(axis: 1), inputs: ["p"], outputs: ["f"]),
      Node(
        name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["f", "fc_w", "fc_b"], outputs: ["y"]),
    ]
    return try S.model(input: [3, 12, 12], nodes: nodes, initializers: initializers)
  }

  /// max |a − b| / max |a|.
  static func relativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
    let x = a.floats ?? []
    let y = b.floats ?? []
    let scale = x.map(abs).max() ?? 1
    return zip(x, y).map { abs($0 - $1) }.max().map { $0 / max(scale, 1e-12) } ?? 0
  }

  /// Output SQNR of per-tensor int8 quantization (min/max ranges over `calibration`) on `x`.
  static func perTensorSQNR(_ model: Model, reference: Model, calibration: Tensor, x: Tensor) throws -> Double
  {
    let lowered = try Lowering.lower(model)
    let graph = try Quantizer.quantize(
      lowered, ranges: try S.minMaxRanges(model, calibration),
      options: QuantizationOptions(precision: .int8, perChannel: false))
    let float = try FloatExecutor(model: reference, batchSize: 16).run(input: x)[0]
    let simulated = try SimulationExecutor(graph: graph, batchSize: 16).run(input: x)[0]
    return QuantizationErrorReport.sqnr(reference: float.floats ?? [], approximation: simulated.floats ?? [])
  }

  @Test(
    "the equalized model computes the same outputs (1e-4 relative)",
    arguments: ["teacher", "cnn", "dscnn", "mnv3block", "depthwise"])
  func sameFunction(name: String) throws {
    let model = name == "depthwise" ? try Self.depthwiseNetwork() : try S.fixtureModel(name)
    let x =
      name == "teacher"
      ? try #require(try S.operationalSamples(16))
      : S.tensor([8] + (model.inputs[0].shape.dropFirst().compactMap(\.value)), seed: 3)
    let (equalized, report) = try CrossLayerEqualization.equalize(model)
    print("equalize \(name): \(report.groups), skipped \(report.skipped)")
    let before = try FloatExecutor(model: model, batchSize: 8).run(input: x)[0]
    let after = try FloatExecutor(model: equalized, batchSize: 8).run(input: x)[0]
    #expect(before.shape == after.shape)
    #expect(Self.relativeDifference(before, after) < 1e-4)
    _ = try Lowering.lower(equalized)
  }

  @Test("which layers are equalized: pairs through Relu and pooling, triples around depthwise, no Relu6")
  func groups() throws {
    let (_, teacher) = try CrossLayerEqualization.equalize(try S.fixtureModel("teacher"))
    #expect(teacher.groups.count == 3)
    #expect(teacher.groups.allSatisfy { $0.count == 2 })
    let (_, depthwise) = try CrossLayerEqualization.equalize(try Self.depthwiseNetwork())
    #expect(depthwise.groups == [["conv1", "dw", "conv3"]])
    #expect(depthwise.foldedBatchNorms == 3)
    let (dscnnModel, dscnn) = try CrossLayerEqualization.equalize(try S.fixtureModel("dscnn"))
    #expect(dscnn.groups.isEmpty)
    #expect(dscnn.skipped.count == 5)
    #expect(dscnn.skipped.allSatisfy { $0.contains("(Clip): clipping is not positively homogeneous") })
    // Nothing equalized: only the BatchNormalizations were folded.
    #expect(!dscnnModel.graph.nodes.contains { $0.op.onnxName == "BatchNormalization" })
  }

  @Test("after equalization the channel ranges of each pair or triple are equal")
  func equalRanges() throws {
    let (model, _) = try CrossLayerEqualization.equalize(try Self.depthwiseNetwork())
    func filter(_ node: String) throws -> (values: [Float], shape: [Int]) {
      let conv = try #require(model.graph.nodes.first { $0.name == node })
      let w = try #require(model.graph.initializers[conv.inputs[1]])
      return (w.floats ?? [], w.shape)
    }
    let (w1, s1) = try filter("conv1")
    let (w2, _) = try filter("dw")
    let (w3, s3) = try filter("conv3")
    for i in 0..<s1[0] {
      let row = s1[1] * s1[2] * s1[3]
      let r1 = w1[(i * row)..<((i + 1) * row)].map(abs).max() ?? 0
      let r2 = w2[(i * 9)..<((i + 1) * 9)].map(abs).max() ?? 0
      let r3 = (0..<s3[0]).map { abs(w3[$0 * s3[1] + i]) }.max() ?? 0
      #expect(abs(r1 - r2) <= 1e-4 * r1 && abs(r2 - r3) <= 1e-4 * r2, "channel \(i): \(r1) \(r2) \(r3)")
    }
  }

  @Test("per-tensor int8 of a depthwise network: equalization raises the output SQNR")
  func betterPerTensorSQNR() throws {
    let model = try Self.depthwiseNetwork()
    let calibration = S.tensor([48, 3, 12, 12], seed: 71)
    let x = S.tensor([48, 3, 12, 12], seed: 72)
    let (equalized, _) = try CrossLayerEqualization.equalize(model)
    let plain = try Self.perTensorSQNR(model, reference: model, calibration: calibration, x: x)
    let better = try Self.perTensorSQNR(equalized, reference: model, calibration: calibration, x: x)
    print("per-tensor int8 SQNR of the depthwise network: \(plain) dB -> \(better) dB with equalization")
    #expect(better > plain + 3, "\(plain) -> \(better)")
  }
}
