import Foundation
import Testing

@testable import JumpEngine

@Suite("TFLite writer")
struct TFLiteWriterTests {
  func written(_ graph: QuantizedGraph, io: TFLiteIO = .int8) throws -> TFLiteTestReader {
    TFLiteTestReader(Array(try TFLiteExporter.serialize(graph, io: io)))
  }

  @Test("the file frame: TFL3, version 3, buffer 0 empty, both op code fields, metadata, aligned data")
  func frame() throws {
    let (_, graph, _) = try QuantizerTests.quantized("dscnn")
    let file = try written(graph)
    #expect(file.identifier == "TFL3")
    #expect(file.version == 3)
    #expect(file.buffers[0].isEmpty)
    #expect(file.metadata["jumpstation_version"] == JumpEngineInfo.version)
    #expect(file.description?.hasPrefix("JumpStation") == true)
    for op in file.operators { #expect(Int32(op.deprecatedCode) == op.code) }
    for (i, buffer) in file.buffers.enumerated() where !buffer.isEmpty {
      #expect(file.bufferDataStarts[i] % 16 == 0)
    }
    // Every constant is inline; every activation points at buffer 0.
    for tensor in file.tensors {
      let isConstant = graph.tensors[tensor.name]?.isConstant ?? (tensor.buffer != 0)
      #expect((tensor.buffer != 0) == isConstant)
    }
    // The same graph gives the same bytes.
    #expect(try TFLiteExporter.serialize(graph) == TFLiteExporter.serialize(graph))
  }

  @Test("int8: NHWC activations, OHWI and 1HWO filters relaid, per-channel parameters on the right axis")
  func int8Layout() throws {
    let (_, graph, _) = try QuantizerTests.quantized("dscnn")
    let file = try written(graph)
    let input = file.tensors[file.inputs[0]]
    let logical = try graph.tensor(graph.inputs[0])
    #expect(input.type == 9)
    #expect(input.shape == [logical.shape[0], logical.shape[2], logical.shape[3], logical.shape[1]])
    #expect(input.scales == logical.quantization?.scales)

    let conv = try #require(graph.nodes.first { if case .conv2D = $0.op { true } else { false } })
    let w = try graph.tensor(conv.inputs[1])
    let fileW = try #require(file.tensor(w.name))
    let (o, i, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    #expect(fileW.shape == [o, kh, kw, i])
    #expect(fileW.type == 9)
    #expect(fileW.quantizedDimension == 0)
    #expect(fileW.scales == w.quantization?.scales)
    guard case .int8(let values) = w.data else { Issue.record("int8 filter expected"); return }
    let data = file.buffers[fileW.buffer].map { Int8(bitPattern: $0) }
    for (oc, y, x, ic) in [(0, 0, 0, 0), (o - 1, kh - 1, kw - 1, i - 1), (1 % o, kh / 2, 0, i / 2)] {
      #expect(data[((oc * kh + y) * kw + x) * i + ic] == values[((oc * i + ic) * kh + y) * kw + x])
    }
    let bias = try #require(file.tensor(conv.inputs[2]))
    #expect(bias.type == 2)
    #expect(bias.scales.count == o)

    let depthwise = try #require(
      graph.nodes.first { if case .depthwiseConv2D = $0.op { true } else { false } })
    let dw = try graph.tensor(depthwise.inputs[1])
    let fileDW = try #require(file.tensor(dw.name))
    #expect(fileDW.shape == [1, dw.shape[2], dw.shape[3], dw.shape[0]])
    #expect(fileDW.quantizedDimension == 3)
    #expect(fileDW.scales.count == dw.shape[0])
    guard case .int8(let dwValues) = dw.data else { Issue.record("int8 filter expected"); return }
    let dwData = file.buffers[fileDW.buffer].map { Int8(bitPattern: $0) }
    let (c, dkh, dkw) = (dw.shape[0], dw.shape[2], dw.shape[3])
    #expect(dwData[(1 * dkw + 2) * c + 5] == dwValues[(5 * dkh + 1) * dkw + 2])

    // The global average pool is a MEAN over H and W of NHWC, with its axes as an int32 constant.
    let mean = try #require(file.operators(.mean).first)
    #expect(
      file.buffers[file.tensors[mean.inputs[1]].buffer] == TFLiteTensorData.littleEndian([Int32(1), 2]))
    #expect(file.operators(.depthwiseConv2D).count == 2)
    #expect(file.operators(.conv2D).count == 3)
    #expect(file.operators(.fullyConnected).count == 1)
    // The stem's PyTorch padding (2 before a stride-2 window) is not SAME's (1): a PAD, then VALID.
    let pad = try #require(file.operators(.pad).first)
    #expect(file.operators(.conv2D)[0].inputs[0] == pad.outputs[0])
    #expect(file.tensors[pad.outputs[0]].shape == [1, 36, 18, 1])
    #expect(
      file.buffers[file.tensors[pad.inputs[1]].buffer]
        == TFLiteTensorData.littleEndian([Int32(0), 0, 2, 2, 1, 1, 0, 0]))
  }

  @Test("conv options: strides, padding, fused activation, depth multiplier")
  func convOptions() throws {
    let (_, graph, _) = try QuantizerTests.quantized("dscnn")
    let file = try written(graph)
    let stem = file.operators(.conv2D)[0]
    #expect(stem.optionsType == 1)
    let options = try #require(stem.options)
    #expect(options.scalar(0, default: Int8(0)) == 1)  // VALID, after its PAD
    #expect(options.scalar(1, default: Int32(0)) == 2)  // stride_w
    #expect(options.scalar(2, default: Int32(0)) == 2)  // stride_h
    #expect(options.scalar(3, default: Int8(0)) == 3)  // RELU6
    let depthwise = try #require(file.operators(.depthwiseConv2D)[0].options)
    #expect(depthwise.scalar(0, default: Int8(0)) == 0)  // SAME
    #expect(depthwise.scalar(3, default: Int32(0)) == 1)  // depth_multiplier
    #expect(depthwise.scalar(4, default: Int8(0)) == 3)
  }

  @Test("a flatten of a channel-last tensor reorders the reader's FULLY_CONNECTED columns")
  func flattenReordersColumns() throws {
    let (_, graph, _) = try QuantizerTests.quantized("cnn")
    let file = try written(graph)
    let fc = try #require(graph.nodes.first { if case .fullyConnected = $0.op { true } else { false } })
    let reshape = try #require(graph.producer(of: fc.inputs[0]))
    let x = try graph.tensor(reshape.inputs[0]).shape  // [1, 16, 2, 1]
    let w = try graph.tensor(fc.inputs[1])
    guard case .int8(let values) = w.data else { Issue.record("int8 filter expected"); return }
    let fileW = try #require(file.tensor(w.name))
    let data = file.buffers[fileW.buffer].map { Int8(bitPattern: $0) }
    let (channels, height, width) = (x[1], x[2], x[3])
    let inputs = channels * height * width
    // File column (h, w, c) holds the graph's column (c, h, w).
    for (o, c, h) in [(0, 0, 1), (3, 5, 0), (9, 15, 1)] {
      #expect(
        data[o * inputs + (h * width) * channels + c] == values[o * inputs + c * height * width + h * width])
    }
    // The conv whose pads are neither SAME nor VALID gets a PAD in front.
    #expect(file.operators(.pad).count == 1)
  }

  @Test("int4 weights are INT4 (17), packed two per byte")
  func int4() throws {
    let (_, graph, _) = try QuantizerTests.quantized(
      "mnv3block", options: QuantizationOptions(precision: .int4))
    let file = try written(graph)
    let conv = try #require(graph.nodes.first { if case .conv2D = $0.op { true } else { false } })
    let w = try graph.tensor(conv.inputs[1])
    let fileW = try #require(file.tensor(w.name))
    #expect(fileW.type == 17)
    #expect(file.buffers[fileW.buffer].count == (w.count + 1) / 2)
    guard case .int8(let values) = w.data else { Issue.record("int4 filter expected"); return }
    let first = file.buffers[fileW.buffer][0]
    #expect(Int8(bitPattern: first << 4) >> 4 == values[0])
    // The high nibble is file element 1, OHWI (0, 0, 0, 1): OIHW (0, 1, 0, 0).
    #expect(Int8(bitPattern: first) >> 4 == values[w.shape[2] * w.shape[3]])
    // TFLite Micro has no per-channel INT4 FULLY_CONNECTED: those weights are stored as int8, same values.
    let fc = try #require(graph.nodes.first { if case .fullyConnected = $0.op { true } else { false } })
    let fcWeights = try graph.tensor(fc.inputs[1])
    let fileFC = try #require(file.tensor(fcWeights.name))
    #expect(fcWeights.elementType == .int4)
    #expect(fileFC.type == 9)
    #expect(file.buffers[fileFC.buffer].count == fcWeights.count)
  }

  @Test("int16x8: int16 activations, int64 biases, ADD without power-of-two scaling")
  func int16x8() throws {
    let (_, graph, _) = try QuantizerTests.quantized(
      "mnv3block", options: QuantizationOptions(precision: .int16x8))
    let file = try written(graph)
    #expect(file.tensors[file.inputs[0]].type == 7)
    let conv = file.operators(.conv2D)[0]
    #expect(file.tensors[conv.inputs[2]].type == 4)
    let add = try #require(file.operators(.add).first?.options)
    #expect(add.scalar(1, default: UInt8(1)) == 0)
  }

  @Test("io=float: float32 edges through QUANTIZE and DEQUANTIZE")
  func floatEdges() throws {
    let (_, graph, _) = try QuantizerTests.quantized("mlp")
    let file = try written(graph, io: .float)
    let input = file.tensors[file.inputs[0]]
    let output = file.tensors[file.outputs[0]]
    #expect(input.type == 0 && output.type == 0)
    #expect(input.name == graph.inputs[0])
    #expect(file.operators.first?.code == TFLiteBuiltinOperator.quantize.rawValue)
    #expect(file.operators.last?.code == TFLiteBuiltinOperator.dequantize.rawValue)
    #expect(file.tensors[file.operators[0].outputs[0]].type == 9)
  }

  @Test("a float model lowers to a float32 file with no quantization")
  func float32() throws {
    let model = try QuantizeTestSupport.fixtureModel("mnv3block")
    let file = TFLiteTestReader(Array(try TFLiteExporter.serialize(floatModel: model)))
    #expect(file.tensors.allSatisfy { $0.type == 0 || $0.type == 2 })
    #expect(file.tensors.allSatisfy { $0.scales.isEmpty })
    #expect(file.operators(.hardSwish).count >= 1)
    #expect(file.operators.allSatisfy { $0.code != TFLiteBuiltinOperator.quantize.rawValue })
  }

  @Test("a layer kept in float is a float op between DEQUANTIZE and QUANTIZE")
  func skippedLayer() throws {
    let (_, graph, _) = try QuantizerTests.quantized(
      "mlp", options: QuantizationOptions(skip: ["FULLY_CONNECTED"]))
    let file = try written(graph)
    let fc = try #require(file.operators(.fullyConnected).first)
    #expect(file.tensors[fc.inputs[0]].type == 0)
    #expect(file.tensors[fc.inputs[1]].type == 0)
    #expect(file.operators(.dequantize).count >= 1)
  }
}

@Suite("TFLite layout and windows")
struct TFLiteLayoutTests {
  @Test func channelLastShapesAxesAndData() {
    #expect(TFLiteLayout.channelLast([1, 3, 4, 5]) == [1, 4, 5, 3])
    #expect(TFLiteLayout.channelLast([2, 7]) == [2, 7])
    #expect(TFLiteLayout.channelLastAxis(1, rank: 4) == 3)
    #expect(TFLiteLayout.channelLastAxis(2, rank: 4) == 1)
    #expect(TFLiteLayout.channelLastAxis(1, rank: 2) == 1)
    // [1, C=2, H=1, W=3]: logical c*3 + w; stored (w, c).
    #expect(TFLiteLayout.channelLastPermutation([1, 2, 1, 3]) == [0, 3, 1, 4, 2, 5])
    #expect(TFLiteLayout.isIdentity(TFLiteLayout.channelLastPermutation([1, 8, 1, 1])))
  }

  @Test func windows() {
    // PyTorch's padding=1 on a 3x3 stride-1 conv is SAME.
    #expect(
      TFLiteWindow.matching(
        input: [16, 20], output: [16, 20], kernel: [3, 3], strides: [1, 1], dilations: [1, 1],
        pads: [1, 1, 1, 1])
        == TFLiteWindow(padding: .same, strides: [1, 1]))
    // Stride 2 on an even size pads 0 before in TFLite, 1 in PyTorch: no match.
    #expect(
      TFLiteWindow.matching(
        input: [32, 32], output: [16, 16], kernel: [3, 3], strides: [2, 2], dilations: [1, 1],
        pads: [1, 1, 1, 1])
        == nil)
    #expect(
      TFLiteWindow.matching(
        input: [8, 8], output: [4, 4], kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0])
        == TFLiteWindow(padding: .valid, strides: [2, 2]))
    // A ceil_mode pool: SAME in H; along W a single output lets the stride grow.
    #expect(
      TFLiteWindow.matching(
        input: [4, 3], output: [2, 1], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 1, 0])
        == TFLiteWindow(padding: .same, strides: [2, 3]))
  }
}
