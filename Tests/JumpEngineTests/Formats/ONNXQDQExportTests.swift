import Foundation
import ONNXProto
import Testing

@testable import JumpEngine

/// The QDQ ONNX writer: structure of the file it writes (ONNX Runtime runs them in the interop suite).
@Suite("Formats: ONNX QDQ export")
struct ONNXQDQExportTests {
  /// A fixture model quantized with min/max ranges, exported and parsed back.
  static func exported(
    _ name: String, options: QuantizationOptions = .init()
  ) throws -> (graph: QuantizedGraph, proto: Onnx_ModelProto) {
    let (_, graph, _) = try QuantizerTests.quantized(name, options: options)
    let bytes = try ONNXQDQExporter.serialize(graph)
    return (graph, try Onnx_ModelProto(serializedBytes: bytes))
  }

  /// The node writing `value`.
  static func producer(_ value: String, in graph: Onnx_GraphProto) -> Onnx_NodeProto? {
    graph.node.first { $0.output.contains(value) }
  }

  @Test("dscnn int8: opset 21, float I/O with a symbolic batch, every value written once")
  func structure() throws {
    let (graph, proto) = try Self.exported("dscnn")
    #expect(proto.opsetImport.map(\.version) == [21])
    let g = proto.graph
    for value in g.input + g.output {
      #expect(value.type.tensorType.elemType == 1, "\(value.name)")
      #expect(value.type.tensorType.shape.dim.first?.dimParam == "batch", "\(value.name)")
    }
    #expect(g.output.map(\.name) == graph.outputs)
    let written = g.node.flatMap(\.output) + g.initializer.map(\.name) + g.input.map(\.name)
    #expect(Set(written).count == written.count)
    let available = Set(written)
    for node in g.node {
      for input in node.input where !input.isEmpty {
        #expect(available.contains(input), "\(node.name) reads \(input)")
      }
    }
    // One QuantizeLinear per integer activation the device holds (inputs included).
    let integerActivations = graph.tensors.values.filter { !$0.isConstant && $0.elementType != .float32 }
    #expect(g.node.filter { $0.opType == "QuantizeLinear" }.count == integerActivations.count)
  }

  @Test("weights are int8 initializers read through a per-axis DequantizeLinear; biases int32")
  func weights() throws {
    let (graph, proto) = try Self.exported("dscnn")
    let g = proto.graph
    let initializers = Dictionary(uniqueKeysWithValues: g.initializer.map { ($0.name, $0) })
    let convs = g.node.filter { $0.opType == "Conv" || $0.opType == "Gemm" }
    #expect(convs.count == graph.nodes.filter(\.op.hasWeights).count)
    for conv in convs {
      let weightDQ = try #require(Self.producer(conv.input[1], in: g))
      #expect(weightDQ.opType == "DequantizeLinear")
      let weights = try #require(initializers[weightDQ.input[0]])
      #expect(weights.dataType == 3)
      #expect(weightDQ.attribute.first { $0.name == "axis" }?.i == 0)
      let scales = try #require(initializers[weightDQ.input[1]])
      #expect(scales.dims == [weights.dims[0]])
      let biasDQ = try #require(Self.producer(conv.input[2], in: g))
      #expect(initializers[biasDQ.input[0]]?.dataType == 6)
    }
  }

  @Test("int4 weights are written as INT4, packed two per byte")
  func int4() throws {
    let (graph, proto) = try Self.exported("cnn", options: QuantizationOptions(precision: .int4))
    let int4 = proto.graph.initializer.filter { $0.dataType == 22 && !$0.name.hasSuffix("_zero_point") }
    #expect(int4.count == graph.nodes.filter(\.op.hasWeights).count)
    for tensor in int4 {
      let count = tensor.dims.reduce(1, *)
      #expect(tensor.rawData.count == Int((count + 1) / 2), "\(tensor.name)")
    }
  }

  @Test("int16x8: activations int16 with zero point 0, biases written dequantized")
  func int16x8() throws {
    let (_, proto) = try Self.exported("cnn", options: QuantizationOptions(precision: .int16x8))
    let g = proto.graph
    let initializers = Dictionary(uniqueKeysWithValues: g.initializer.map { ($0.name, $0) })
    let quantizes = g.node.filter { $0.opType == "QuantizeLinear" }
    #expect(!quantizes.isEmpty)
    for q in quantizes {
      let zeroPoint = try #require(initializers[q.input[2]])
      #expect(zeroPoint.dataType == 5)
      #expect(zeroPoint.rawData == Data([0, 0]))
    }
  }

  @Test("skipped layers stay float between DequantizeLinear and QuantizeLinear")
  func floatIsland() throws {
    let (graph, proto) = try Self.exported("cnn", options: QuantizationOptions(skip: ["Gemm"]))
    let fullyConnected = try #require(graph.nodes.first { $0.op.tfliteName == "FULLY_CONNECTED" })
    #expect(try graph.tensor(fullyConnected.outputs[0]).elementType == .float32)
    let gemm = try #require(proto.graph.node.first { $0.opType == "Gemm" })
    #expect(Self.producer(gemm.input[1], in: proto.graph) == nil)  // float weights: plain initializers
  }

  @Test("a fixed batch is kept with batch: nil")
  func staticBatch() throws {
    let (_, graph, _) = try QuantizerTests.quantized("mlp")
    let proto = try Onnx_ModelProto(serializedBytes: try ONNXQDQExporter.serialize(graph, batch: nil))
    #expect(proto.graph.input.first?.type.tensorType.shape.dim.first?.dimValue == 1)
  }
}
