import Foundation
import Testing

@testable import JumpEngine

/// Quantization-aware training on a tiny Conv-BN-Relu-pool-Gemm classifier: what is fake-quantized, that
/// the loss falls, that the converted integer graph computes what training simulated, determinism, and
/// bad input.
@Suite("Training: quantization-aware training")
struct QATGraphTests {
  /// `x [batch, 1, 6, 6]` → Conv 3×3 (4 channels) → BatchNormalization → Relu → MaxPool 2×2 →
  /// GlobalAveragePool → Flatten → Gemm (4 → 3).
  static func model() throws -> Model {
    var random = SeededRandom(state: 21)
    var initializers = QuantizeTestSupport.batchNormParameters("bn", channels: 4, seed: 4)
    initializers["w"] = random.tensor([4, 1, 3, 3], in: -0.8...0.8)
    initializers["b"] = random.tensor([4], in: -0.1...0.1)
    initializers["fc_w"] = random.tensor([3, 4], in: -0.9...0.9)
    initializers["fc_b"] = Tensor(shape: [3], floats: [0, 0, 0])
    let nodes = [
      Node(
        name: "conv", op: .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1])), inputs: ["x", "w", "b"],
        outputs: ["c"]),
      QuantizeTestSupport.batchNorm("bn", input: "c", output: "n"),
      Node(name: "relu", op: .relu, inputs: ["n"], outputs: ["r"]),
      Node(
        name: "pool", op: .maxPool(PoolAttributes(kernel: [2, 2], strides: [2, 2])), inputs: ["r"],
        outputs: ["p"]),
      Node(name: "gap", op: .globalAveragePool, inputs: ["p"], outputs: ["g"]),
      Node(name: "flatten", op: .flatten(axis: 1), inputs: ["g"], outputs: ["f"]),
      Node(
        name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["f", "fc_w", "fc_b"], outputs: ["y"]),
    ]
    return try QuantizeTestSupport.model(input: [1, 6, 6], nodes: nodes, initializers: initializers)
  }

  /// 48 labelled samples: class `k` of 3 lights up row band `k` of the image.
  static func dataset(labels: Bool = true, nanAt poisoned: Int? = nil) throws -> Dataset {
    var random = SeededRandom(state: 13)
    var x: [Float] = []
    var y: [Int64] = []
    for i in 0..<48 {
      let label = i % 3
      var image = random.floats(36, in: 0...0.4)
      for j in (label * 12)..<(label * 12 + 12) { image[j] += 1 }
      if i == poisoned { image[7] = .nan }
      x += image
      y.append(Int64(label))
    }
    let url = temporaryDirectory().appendingPathComponent("qat-\(labels)-\(poisoned ?? -1).npz")
    var members = ["x.npy": npyData(Tensor(shape: [48, 1, 6, 6], floats: x))]
    if labels { members["y.npy"] = npyData(Tensor(shape: [48], int64s: y)) }
    try npz(members, to: url)
    return try Dataset(source: DatasetSource.open(path: url.path))
  }

  /// Minmax calibration ranges of `model` on `data`.
  static func ranges(_ model: Model, _ data: Dataset) throws -> [String: ClosedRange<Float>] {
    try Calibrator(model: model).calibrate(data).closedRanges
  }

  static func configuration(epochs: Int, seed: UInt64 = 3) -> TrainingConfiguration {
    TrainingConfiguration(
      epochs: epochs, batchSize: 8, optimizer: .adam(), schedule: .constant(1e-2), seed: seed)
  }

  @Test("BatchNorm is folded and fake quantization sits at exactly the tensors PTQ quantizes")
  func quantizesWhatPTQQuantizes() throws {
    let model = try Self.model()
    let graph = try QATGraph(
      model: model, ranges: try Self.ranges(model, try Self.dataset()), options: QATOptions(precision: .int4))
    #expect(
      !graph.trainable.graph.nodes.contains { if case .batchNormalization = $0.op { true } else { false } })
    // The conv's own output is fused away with the Relu; the pool shares the Relu output's parameters.
    #expect(graph.rules["c"] == nil && graph.rules["n"] == nil)
    #expect(graph.rules["x"] == .free(.none))
    #expect(graph.rules["r"] == .free(.relu))
    #expect(graph.rules["p"] == .shared("r"))
    #expect(graph.rules["y"] == .free(.none))
    #expect(graph.weightAxes.count == 2)
    #expect(graph.weightAxes["fc_w"] == Optional(Optional(0)))
  }

  @Test("int4 QAT lowers the fake-quantized loss, and the same seed gives identical weights")
  func lossFallsDeterministically() throws {
    let model = try Self.model()
    let data = try Self.dataset()
    let ranges = try Self.ranges(model, data)
    let options = QATOptions(precision: .int4)
    var reports = 0
    let first = try QuantizationAwareTraining.run(
      model, ranges: ranges, on: data, options: options, configuration: Self.configuration(epochs: 6),
      progress: { _ in reports += 1 })
    #expect(reports == 6 * 6)
    #expect(first.epochs[5].loss < first.epochs[0].loss * 0.8, "losses \(first.epochs.map(\.loss))")
    let second = try QuantizationAwareTraining.run(
      model, ranges: ranges, on: data, options: options, configuration: Self.configuration(epochs: 6))
    #expect(first.floatModel.graph.initializers == second.floatModel.graph.initializers)
    #expect(first.ranges == second.ranges)
    #expect(first.graph == second.graph)
  }

  @Test("learned ranges train their scales by LSQ's gradient", arguments: [QATRangeMode.learned, .ema])
  func rangesMove(mode: QATRangeMode) throws {
    let model = try Self.model()
    let data = try Self.dataset()
    let ranges = try Self.ranges(model, data)
    var graph = try QATGraph(model: model, ranges: ranges, options: QATOptions(ranges: mode))
    var optimizer = Optimizer(.adam())
    let batch = try data.batch(0..<16)
    for _ in 0..<3 {
      let pass = try graph.forward(batch.x)
      let loss = try Loss.crossEntropy(logits: pass.outputs[0], labels: try #require(batch.y))
      let gradients = try graph.backward(pass, outputGradients: [loss.gradient])
      if mode == .learned {
        let scale = try #require(graph.learnedScales["r"]?.parameter)
        #expect(gradients[scale] != nil)
      }
      graph.step(&optimizer, gradients: gradients, learningRate: 1e-3, from: pass)
    }
    #expect(graph.finalRanges["r"] != ranges["r"])
    #expect(graph.floatModel.graph.initializers.keys.allSatisfy { !$0.contains("qat_scale") })
  }

  @Test(
    "the converted graph has the trained parameters and computes the QAT forward pass",
    arguments: [QuantizationPrecision.int8, .int4], [true, false])
  func conversionMatchesTheFakeQuantizedForward(precision: QuantizationPrecision, perChannel: Bool) throws {
    let model = try Self.model()
    let data = try Self.dataset()
    var graph = try QATGraph(
      model: model, ranges: try Self.ranges(model, data),
      options: QATOptions(precision: precision, perChannel: perChannel))
    var optimizer = Optimizer(.adam())
    for start in stride(from: 0, to: 48, by: 8) {
      let batch = try data.batch(start..<(start + 8))
      let pass = try graph.forward(batch.x)
      let loss = try Loss.crossEntropy(logits: pass.outputs[0], labels: try #require(batch.y))
      graph.step(
        &optimizer, gradients: try graph.backward(pass, outputGradients: [loss.gradient]), learningRate: 1e-2,
        from: pass)
    }
    let x = try data.batch(0..<16).x
    let pass = try graph.forward(x)
    let (_, converted) = try graph.convert()
    // The integer graph quantizes every tensor with the parameters training simulated, exactly.
    let names = ["x", "r", "p", "g", "f", "y"]
    for name in names {
      #expect(converted.tensors[name]?.quantization == (try graph.parameters(of: name)), "\(name)")
    }
    // The simulation on the float kernels differs only where a sum lands on a rounding tie in another
    // order, and at MEAN, which it runs with the device's double rounding (up to 3/4 of a step) where
    // training takes the float mean: by at most two steps of any tensor.
    let recorded = try SimulationExecutor(graph: converted, batchSize: 16).run(
      input: x, recording: Set(names))
    for name in names {
      let step = try #require(converted.tensors[name]?.quantization?.scale)
      let trained = try #require(pass.pass.values[name]?.values)
      let device = try #require(recorded.recorded[name]?.asFloats())
      let worst = zip(trained, device).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= step * 2.01, "\(name): worst difference \(worst), step \(step)")
    }
    // The integer kernels add int32 bias rounding and fixed-point rescaling; as for PTQ graphs, a one-step
    // difference inside (at the mean, here) can reach the output as two.
    let step = try #require(converted.tensors["y"]?.quantization?.scale)
    let integer = try IntegerExecutor(graph: converted, batchSize: 16).run(input: x)[0].asFloats()
    let worst = zip(pass.outputs[0].asFloats(), integer).map { abs($0 - $1) / step }.max() ?? 0
    #expect(worst <= 2.01, "integer output: \(worst) steps")
  }

  @Test("a dataset without labels, epochs below 1 and missing ranges are refused before training")
  func badInput() throws {
    let model = try Self.model()
    let data = try Self.dataset()
    let ranges = try Self.ranges(model, data)
    let unlabelled = try Self.dataset(labels: false)
    let noLabels = #expect(throws: EngineError.self) {
      try QuantizationAwareTraining.run(
        model, ranges: ranges, on: unlabelled, options: QATOptions(),
        configuration: Self.configuration(epochs: 1))
    }
    #expect(noLabels?.message.contains("needs labels") == true)
    #expect(throws: EngineError.self) {
      try QuantizationAwareTraining.run(
        model, ranges: ranges, on: data, options: QATOptions(), configuration: Self.configuration(epochs: 0))
    }
    let missing = #expect(throws: EngineError.self) {
      try QATGraph(model: model, ranges: [:], options: QATOptions())
    }
    #expect(missing?.message.contains("no calibration range") == true)
  }

  @Test("a NaN in the data stops training with the epoch and batch named")
  func nanInputStops() throws {
    let model = try Self.model()
    let ranges = try Self.ranges(model, try Self.dataset())
    let error = #expect(throws: EngineError.self) {
      try QuantizationAwareTraining.run(
        model, ranges: ranges, on: try Self.dataset(nanAt: 30), options: QATOptions(),
        configuration: Self.configuration(epochs: 2))
    }
    let message = error?.message ?? ""
    #expect(message.contains("in epoch 1, batch "), "\(message)")
    #expect(message.contains("diverged"), "\(message)")
  }
}
