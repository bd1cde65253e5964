import Foundation
import JumpEngine
import Testing

/// The quantization parameters `Quantizer` chooses, checked against the TFLite integer spec.
@Suite("Quantize: parameters")
struct QuantizerTests {
  typealias S = QuantizeTestSupport

  /// A fixture model lowered and quantized with min/max ranges over its reference input.
  static func quantized(
    _ name: String, options: QuantizationOptions = .init()
  ) throws -> (lowered: LoweredGraph, graph: QuantizedGraph, x: Tensor) {
    let model = try S.fixtureModel(name)
    let x = try #require(try S.fixtureInput(name))
    let lowered = try Lowering.lower(model)
    let graph = try Quantizer.quantize(lowered, ranges: try S.minMaxRanges(model, x), options: options)
    return (lowered, graph, x)
  }

  @Test("activation ranges are widened to include zero; the zero point is rounded into [-128, 127]")
  func activationParameters() throws {
    let positive = try QuantizationRules.activationParameters(low: 0.5, high: 2, type: .int8)
    #expect(positive == QuantizationParameters(scale: 2.0 / 255, zeroPoint: -128))
    let negative = try QuantizationRules.activationParameters(low: -1, high: -0.5, type: .int8)
    #expect(negative == QuantizationParameters(scale: 1.0 / 255, zeroPoint: 127))
    let mixed = try QuantizationRules.activationParameters(low: -1, high: 3, type: .int8)
    #expect(mixed == QuantizationParameters(scale: 4.0 / 255, zeroPoint: -64))
    // Zero is exactly representable: q = zp dequantizes to 0.
    #expect(Float(mixed.zeroPoint - mixed.zeroPoint) * mixed.scale == 0)
    let symmetric = try QuantizationRules.activationParameters(low: -2, high: 1, type: .int16)
    #expect(symmetric == QuantizationParameters(scale: 2.0 / 32767, zeroPoint: 0))
    #expect(throws: EngineError.self) {
      try QuantizationRules.activationParameters(low: -.infinity, high: 1, type: .int8)
    }
  }

  @Test("teacher: pools and reshape share their input's parameters; fused Relu outputs start at zero")
  func sharedParameters() throws {
    let (_, graph, _) = try Self.quantized("teacher")
    for node in graph.nodes where node.op.keepsInputParameters {
      let input = try graph.tensor(node.inputs[0])
      let output = try graph.tensor(node.outputs[0])
      #expect(input.quantization != nil)
      #expect(output.quantization == input.quantization, "\(node.name)")
    }
    for node in graph.nodes where node.op.activation == .relu {
      #expect(try graph.tensor(node.outputs[0]).quantization?.zeroPoint == -128, "\(node.name)")
    }
    #expect(try graph.tensor(graph.inputs[0]).elementType == .int8)
    #expect(try graph.tensor(graph.outputs[0]).elementType == .int8)
  }

  @Test("bias: int32, zero point 0, scale = input scale x weight scale per channel")
  func biasScale() throws {
    let (_, graph, _) = try Self.quantized("dscnn")
    var checked = 0
    for node in graph.nodes where node.op.hasWeights {
      let inputScale = try #require(try graph.tensor(node.inputs[0]).quantization?.scale)
      let weights = try #require(try graph.tensor(node.inputs[1]).quantization)
      let bias = try graph.tensor(node.inputs[2])
      let q = try #require(bias.quantization)
      #expect(bias.elementType == .int32)
      #expect(q.zeroPoints.allSatisfy { $0 == 0 })
      #expect(q.scales.count == weights.scales.count)
      for (b, w) in zip(q.scales, weights.scales) { #expect(b == inputScale * w) }
      checked += 1
    }
    #expect(checked == 6)
  }

  @Test("fixed output parameters for SOFTMAX and LOGISTIC")
  func fixedOutputs() throws {
    let (_, mlp, _) = try Self.quantized("mlp")
    let softmax = try #require(mlp.nodes.first { $0.op == .softmax(beta: 1) })
    #expect(
      try mlp.tensor(softmax.outputs[0]).quantization
        == QuantizationParameters(scale: 1.0 / 256, zeroPoint: -128))
    let model = try S.model(
      input: [4], nodes: [Node(name: "s", op: .sigmoid, inputs: ["x"], outputs: ["y"])], initializers: [:])
    let graph = try Quantizer.quantize(try Lowering.lower(model), ranges: ["x": -3...3, "y": 0.1...0.9])
    #expect(try graph.tensor("y").quantization == QuantizationParameters(scale: 1.0 / 256, zeroPoint: -128))
    let wide = try Quantizer.quantize(
      try Lowering.lower(model), ranges: ["x": -3...3], options: QuantizationOptions(precision: .int16x8))
    #expect(try wide.tensor("y").quantization == QuantizationParameters(scale: 1.0 / 32768, zeroPoint: 0))
  }

  @Test("a fused RELU6 clamps the output range before parameters are chosen")
  func fusedRelu6Range() throws {
    let (_, graph, _) = try Self.quantized("dscnn")
    for node in graph.nodes where node.op.activation == .relu6 {
      let q = try #require(try graph.tensor(node.outputs[0]).quantization)
      #expect(q.zeroPoint == -128)
      #expect(q.scale <= 6.0 / 255 * 1.0001, "\(node.name): scale \(q.scale)")
    }
  }

  @Test(
    "per-channel weights: one scale per output channel, each channel reaching ±127; per-tensor: one scale")
  func weightScales() throws {
    let (_, perChannel, _) = try Self.quantized("mnv3block")
    let (_, perTensor, _) = try Self.quantized("mnv3block", options: QuantizationOptions(perChannel: false))
    for node in perChannel.nodes where node.op.hasWeights {
      let w = try perChannel.tensor(node.inputs[1])
      let q = try #require(w.quantization)
      #expect(q.axis == 0)
      #expect(q.scales.count == w.shape[0])
      let values = try #require(w.data?.storedAsInt64s())
      let perRow = values.count / w.shape[0]
      for c in 0..<w.shape[0] {
        let row = values[(c * perRow)..<((c + 1) * perRow)]
        #expect(row.map { abs($0) }.max() == 127, "\(node.name) channel \(c)")
      }
      let t = try perTensor.tensor(try #require(perTensor.nodes.first { $0.name == node.name }).inputs[1])
      #expect(t.quantization?.axis == nil)
      #expect(t.quantization?.scales.count == 1)
      #expect(t.data?.storedAsInt64s().map { abs($0) }.max() == 127)
      let bias = try perTensor.tensor(try #require(perTensor.nodes.first { $0.name == node.name }).inputs[2])
      #expect(bias.quantization?.scales.count == 1)
    }
  }

  @Test("int4 weights are symmetric in [-7, 7]; int16x8 uses int16 activations and int64 biases")
  func otherPrecisions() throws {
    let (_, int4, _) = try Self.quantized("dscnn", options: QuantizationOptions(precision: .int4))
    for node in int4.nodes where node.op.hasWeights {
      let w = try int4.tensor(node.inputs[1])
      #expect(w.elementType == .int4)
      let values = try #require(w.data?.storedAsInt64s())
      #expect(values.allSatisfy { (-7...7).contains($0) })
      #expect(values.map { abs($0) }.max() == 7)
      #expect(try int4.tensor(node.inputs[0]).elementType == .int8)
    }
    let (_, wide, _) = try Self.quantized("dscnn", options: QuantizationOptions(precision: .int16x8))
    for node in wide.nodes where node.op.hasWeights {
      #expect(try wide.tensor(node.inputs[0]).elementType == .int16)
      #expect(try wide.tensor(node.inputs[0]).quantization?.zeroPoint == 0)
      #expect(try wide.tensor(node.inputs[1]).elementType == .int8)
      #expect(try wide.tensor(node.inputs[2]).elementType == .int64)
    }
  }

  @Test("a missing range names the tensor; derived tensors get ranges from their inputs")
  func missingRanges() throws {
    let model = try S.fixtureModel("mnv3block")
    let x = try #require(try S.fixtureInput("mnv3block"))
    let lowered = try Lowering.lower(model)
    var ranges = try S.minMaxRanges(model, x)
    #expect(!lowered.derivedTensors.isEmpty)
    #expect(lowered.derivedTensors.allSatisfy { ranges[$0] == nil })
    let graph = try Quantizer.quantize(lowered, ranges: ranges)
    for name in lowered.derivedTensors { #expect(try graph.tensor(name).quantization != nil) }
    let conv = try #require(lowered.graph.nodes.first { $0.op.hasWeights })
    ranges[conv.outputs[0]] = nil
    let error = #expect(throws: EngineError.self) { try Quantizer.quantize(lowered, ranges: ranges) }
    #expect(
      error?.message
        == "tensor '\(conv.outputs[0])' (written by '\(conv.name)', CONV_2D) has no calibration range; calibrate the model before quantizing it"
    )
  }
}
