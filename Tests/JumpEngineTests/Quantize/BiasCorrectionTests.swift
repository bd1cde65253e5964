import Foundation
import JumpEngine
import Testing

@testable import JumpEngine

/// Empirical bias correction: exact tap means, smaller output mean error, agreement and determinism.
@Suite("Quantize: bias correction")
struct BiasCorrectionTests {
  typealias S = QuantizeTestSupport
  typealias I = IntegerExecutorSupport

  /// Calibration and held-out inputs for a fixture: operational samples for the teacher, deterministic
  /// random inputs for the random-weight fixtures (their reference inputs hold one or two samples).
  static func data(_ name: String) throws -> (calibration: Tensor, heldOut: Tensor) {
    if name == "teacher" {
      let all = try #require(try S.operationalSamples(200))
      let size = all.shape.dropFirst().reduce(1, *)
      let values = all.floats ?? []
      let shape = Array(all.shape.dropFirst())
      return (
        Tensor(shape: [120] + shape, floats: Array(values[0..<(120 * size)])),
        Tensor(shape: [80] + shape, floats: Array(values[(120 * size)...]))
      )
    }
    let x = try #require(try S.fixtureInput(name))
    let sample = Array(x.shape.dropFirst())
    return (S.tensor([64] + sample, seed: 11), S.tensor([64] + sample, seed: 23))
  }

  /// Mean over output elements of `|mean over samples of (quantized − float)|`: the output mean error.
  static func outputMeanError(_ graph: QuantizedGraph, model: Model, _ x: Tensor) throws -> Double {
    let float = try FloatExecutor(model: model, batchSize: 16).run(input: x)[0]
    let simulated = try SimulationExecutor(graph: graph, batchSize: 16).run(input: x)[0]
    let n = x.shape[0]
    let width = float.count / n
    let f = float.floats ?? []
    let q = simulated.floats ?? []
    var total = 0.0
    for o in 0..<width {
      var sum = 0.0
      for i in 0..<n { sum += Double(q[i * width + o]) - Double(f[i * width + o]) }
      total += abs(sum / Double(n))
    }
    return total / Double(width)
  }

  @Test("tap means give each convolution's exact output mean, with padding, stride and dilation")
  func exactMeans() throws {
    let weights = S.tensor([4, 3, 3, 2], seed: 5)
    let bias = Tensor(shape: [4], floats: [0.1, -0.2, 0.3, 0])
    let model = try S.model(
      input: [3, 7, 6],
      nodes: [
        Node(
          name: "conv",
          op: .conv(
            ConvAttributes(kernel: [3, 2], strides: [2, 1], pads: [2, 1, 1, 0], dilations: [1, 2])),
          inputs: ["x", "w", "b"], outputs: ["y"])
      ], initializers: ["w": weights, "b": bias])
    let lowered = try Lowering.lower(model)
    let node = lowered.graph.nodes[0]
    let x = S.tensor([5, 3, 7, 6], seed: 9, offset: 0.4)
    var means = try FilterTapMeans(for: node, inputShape: [1, 3, 7, 6], filterShape: weights.shape)
    let values = x.floats ?? []
    values.withUnsafeBufferPointer {
      means.add(UnsafeBufferPointer(rebasing: $0[0..<(2 * 126)]), shape: [2, 3, 7, 6])
    }
    values.withUnsafeBufferPointer {
      means.add(UnsafeBufferPointer(rebasing: $0[(2 * 126)...]), shape: [3, 3, 7, 6])
    }
    let expected = means.expectedProducts(weights: weights.floats ?? [], outputChannels: 4, depthwise: false)
    let y = try FloatExecutor(model: model, batchSize: 5).run(input: x)[0]
    let perChannel = y.count / (5 * 4)
    for c in 0..<4 {
      var sum = 0.0
      for n in 0..<5 {
        for k in 0..<perChannel { sum += Double(y.floats?[(n * 4 + c) * perChannel + k] ?? 0) }
      }
      let mean = sum / Double(5 * perChannel)
      #expect(abs(mean - (Double(bias.floats?[c] ?? 0) + expected[c])) < 1e-5, "channel \(c)")
    }
  }

  @Test("tap sums equal a plain loop over each tap's coordinates, bit for bit", arguments: [1, 2])
  func tapSumsMatchPlainLoop(stride: Int) throws {
    let node = QuantizedNode(
      name: "conv",
      op: .conv2D(
        Conv2DOptions(pads: [2, 1, 1, 0], strides: [stride, 1], dilations: [1, 2])),
      inputs: ["x", "w", "b"], outputs: ["y"])
    let shape = [3, 2, 7, 6]
    let x = S.tensor(shape, seed: 4, offset: 0.3)
    var means = try FilterTapMeans(for: node, inputShape: [1, 2, 7, 6], filterShape: [4, 2, 3, 2])
    (x.floats ?? []).withUnsafeBufferPointer { means.add($0, shape: shape) }
    // The plain loop: every output position of every tap, in ascending row then column order per row.
    let values = x.floats ?? []
    var expected = [Double](repeating: 0, count: 2 * 3 * 2)
    let outH = (7 + 2 + 1 - 3) / stride + 1
    let outW = (6 + 1 + 0 - 3) / 1 + 1
    for n in 0..<3 {
      for c in 0..<2 {
        for a in 0..<3 {
          for b in 0..<2 {
            let rows = (0..<outH).map { $0 * stride + a - 2 }.filter { $0 >= 0 && $0 < 7 }
            let columns = (0..<outW).map { $0 + 2 * b - 1 }.filter { $0 >= 0 && $0 < 6 }
            var sum = 0.0
            for h in rows {
              var row = 0.0
              for w in columns { row += Double(values[((n * 2 + c) * 7 + h) * 6 + w]) }
              sum += row
            }
            expected[(c * 3 + a) * 2 + b] += sum
          }
        }
      }
    }
    #expect(means.sums.map(\.bitPattern) == expected.map(\.bitPattern))
    #expect(means.positions == 3 * outH * outW)
  }

  @Test(
    "per-tensor int8 and int4 weights: bias correction reduces the output mean error on held-out data",
    arguments: ["cnn", "dscnn", "mnv3block", "teacher"],
    [
      QuantizationOptions(precision: .int8, perChannel: false), QuantizationOptions(precision: .int4),
    ])
  func reducesOutputMeanError(name: String, options: QuantizationOptions) throws {
    let model = try S.fixtureModel(name)
    let (calibration, heldOut) = try Self.data(name)
    let lowered = try Lowering.lower(model)
    let graph = try Quantizer.quantize(
      lowered, ranges: try S.minMaxRanges(model, calibration), options: options)
    let (corrected, report) = try BiasCorrection.correct(graph, lowered: lowered, samples: calibration)
    let before = try Self.outputMeanError(graph, model: model, heldOut)
    let after = try Self.outputMeanError(corrected, model: model, heldOut)
    print(
      "bias correction \(name) \(options.precision) perChannel=\(options.perChannel): "
        + "output mean error \(before) -> \(after), \(report.layers.count) layers, \(report.passes) passes")
    #expect(report.layers.count == graph.nodes.filter(\.op.hasWeights).count)
    #expect(after < before, "\(name): \(before) -> \(after)")
    // Only bias values change.
    #expect(corrected.nodes == graph.nodes)
    for (tensorName, tensor) in graph.tensors
    where !graph.nodes.contains(where: {
      $0.op.hasWeights && $0.inputs[2] == tensorName
    }) {
      #expect(corrected.tensors[tensorName] == tensor)
    }
  }

  @Test(
    "corrected graphs: the integer executor stays within one step of the simulation",
    arguments: ["cnn", "dscnn", "mnv3block", "teacher"],
    [
      QuantizationOptions(precision: .int8), QuantizationOptions(precision: .int8, perChannel: false),
      QuantizationOptions(precision: .int4),
    ])
  func agreement(name: String, options: QuantizationOptions) throws {
    let (graph, corrected, x) = try Self.corrected(name, options: options)
    #expect(corrected != graph)
    for a in try I.agreement(corrected, x, batchSize: 16) {
      #expect(a.maxSteps <= 1, "\(name) \(options.precision) perChannel=\(options.perChannel): \(a)")
    }
  }

  @Test(
    "int16x8: int64 biases are corrected; integer and simulation agree as closely as without correction",
    arguments: ["cnn", "dscnn", "teacher"])
  func int16x8(name: String) throws {
    let (graph, corrected, x) = try Self.corrected(name, options: QuantizationOptions(precision: .int16x8))
    #expect(corrected != graph)
    let before = try I.agreement(graph, x, batchSize: 16)
    let after = try I.agreement(corrected, x, batchSize: 16)
    print("int16x8 agreement \(name): \(before) -> \(after)")
    for (a, b) in zip(before, after) {
      #expect(b.maxSteps <= max(1, a.maxSteps + 1), "\(name): \(a) -> \(b)")
    }
  }

  /// A fixture quantized with min/max ranges, before and after bias correction, and the data to compare on.
  static func corrected(
    _ name: String, options: QuantizationOptions
  ) throws -> (graph: QuantizedGraph, corrected: QuantizedGraph, x: Tensor) {
    let model = try S.fixtureModel(name)
    let (calibration, heldOut) = try Self.data(name)
    let lowered = try Lowering.lower(model)
    let graph = try Quantizer.quantize(
      lowered, ranges: try S.minMaxRanges(model, calibration), options: options)
    let (corrected, _) = try BiasCorrection.correct(graph, lowered: lowered, samples: calibration)
    return (graph, corrected, name == "teacher" ? heldOut : calibration)
  }

  @Test(
    "the report's outputs are the corrected graph's device outputs on the measured samples, bit for bit",
    arguments: ["cnn", "mnv3block", "teacher"])
  func deviceOutputs(name: String) throws {
    let model = try S.fixtureModel(name)
    let (calibration, _) = try Self.data(name)
    let lowered = try Lowering.lower(model)
    let graph = try Quantizer.quantize(lowered, ranges: try S.minMaxRanges(model, calibration))
    let (corrected, report) = try BiasCorrection.correct(graph, lowered: lowered, samples: calibration)
    let n = report.samples
    let size = calibration.shape.dropFirst().reduce(1, *)
    let measured = Tensor(
      shape: [n] + calibration.shape.dropFirst(), floats: Array((calibration.floats ?? [])[0..<(n * size)]))
    let expected = try IntegerExecutor(graph: corrected, batchSize: n).run(input: measured)
    #expect(report.outputs.map(\.shape) == expected.map(\.shape))
    #expect(report.outputs.map { $0.asFloats() } == expected.map { $0.asFloats() })
  }

  @Test("the result does not depend on the batch size, and the first layer's mean shift is gone")
  func deterministic() throws {
    let model = try S.fixtureModel("cnn")
    let (calibration, _) = try Self.data("cnn")
    let lowered = try Lowering.lower(model)
    let graph = try Quantizer.quantize(
      lowered, ranges: try S.minMaxRanges(model, calibration), options: QuantizationOptions(precision: .int4))
    let a = try BiasCorrection.correct(graph, lowered: lowered, samples: calibration)
    let b = try BiasCorrection.correct(graph, lowered: lowered, samples: calibration)
    #expect(a.graph == b.graph)
    let c = try BiasCorrection.correct(
      graph, lowered: lowered, samples: calibration, options: BiasCorrectionOptions(batchSize: 5))
    // Sums are over the same values in another grouping: equal up to float rounding of the means.
    for (name, tensor) in a.graph.tensors {
      let x = tensor.data?.storedAsInt64s() ?? []
      let y = c.graph.tensors[name]?.data?.storedAsInt64s() ?? []
      #expect(zip(x, y).allSatisfy { abs($0 - $1) <= 1 }, "\(name)")
    }
    // Measured again after the correction, the first layer's quantized output mean equals the float one
    // to within a bias step.
    let first = try #require(a.graph.nodes.first { $0.op.hasWeights })
    let again = try BiasCorrection.correct(a.graph, lowered: lowered, samples: calibration)
    let entry = try #require(again.report.layers.first { $0.node == first.name })
    let biasStep = try #require(a.graph.tensors[first.inputs[2]]?.quantization?.scales.max())
    #expect(entry.largestShift <= Double(biasStep), "\(entry)")
  }

  /// The straightforward reference: for each layer in graph order, one integer-executor run of the graph as
  /// corrected so far, recording that layer's input (a run per layer, the cost quadratic in the depth).
  static func layerByLayer(
    _ graph: QuantizedGraph, lowered: LoweredGraph, samples: Tensor
  ) throws -> QuantizedGraph {
    let n = samples.shape[0]
    let size = samples.shape.dropFirst().reduce(1, *)
    let values = samples.floats ?? []
    let options = BiasCorrectionOptions(sampleLimit: nil)
    var pass = BiasCorrectionPass(graph: graph, lowered: lowered, sampleCount: n, options: options) {
      var start = 0
      return { () throws(EngineError) -> Tensor? in
        guard start < n else { return nil }
        let end = min(n, start + options.batchSize)
        defer { start = end }
        return Tensor(
          shape: [end - start] + samples.shape.dropFirst(),
          floats: Array(values[(start * size)..<(end * size)]))
      }
    }
    let layers = pass.correctableLayers()
    pass.separateSharedBiases(layers)
    let expected = try pass.floatExpectations(layers, total: 0, { false }, { _, _ in })
    for (position, layer) in layers.enumerated() {
      let node = pass.graph.nodes[layer.index]
      let input = node.inputs[0]
      let executor = try IntegerExecutor(graph: pass.graph, batchSize: n)
      let recorded = try #require(try executor.run(input: samples, recording: [input]).recorded[input])
      var means = try GroupedTapMeans(
        for: node, inputShape: try pass.graph.tensor(input).shape,
        filterShape: try pass.graph.tensor(node.inputs[1]).shape, groupCount: pass.groupCount)
      let floats = try #require(recorded.floats)
      floats.withUnsafeBufferPointer { means.add($0, shape: recorded.shape, firstSample: 0) }
      _ = try pass.correct(layer.index, means: means, expected: expected[position])
    }
    return pass.graph
  }

  @Test(
    "the streamed pass corrects every bias exactly as a pass per layer does",
    arguments: ["cnn", "dscnn", "mnv3block"],
    [QuantizationOptions(precision: .int8), QuantizationOptions(precision: .int4, perChannel: false)])
  func streamedEqualsLayerByLayer(name: String, options: QuantizationOptions) throws {
    let model = try S.fixtureModel(name)
    let (calibration, _) = try Self.data(name)
    let lowered = try Lowering.lower(model)
    let graph = try Quantizer.quantize(
      lowered, ranges: try S.minMaxRanges(model, calibration), options: options)
    let streamed = try BiasCorrection.correct(
      graph, lowered: lowered, samples: calibration, options: BiasCorrectionOptions(sampleLimit: nil))
    let reference = try Self.layerByLayer(graph, lowered: lowered, samples: calibration)
    #expect(streamed.graph != graph)
    #expect(streamed.graph == reference)
    #expect(streamed.report.passes == 2)
  }
}
