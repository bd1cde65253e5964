import Foundation
import ONNXProto
import SwiftProtobuf

/// Writes models back to ONNX (float graphs, initializers as `raw_data`).
///
/// The opset is the one the graph was imported with (13 for graphs without one); attribute-like values the
/// IR keeps as attributes are written as attributes or constant inputs as that opset requires.
public enum ONNXExporter {
  /// The IR version written when the source model did not have one.
  public static let defaultIRVersion = 8
  /// The opset written for graphs that do not carry one.
  public static let defaultOpset = 13

  /// Serializes a model to ONNX protobuf bytes.
  public static func serialize(_ model: Model) throws(EngineError) -> Data {
    let proto = modelProto(model)
    do {
      return try proto.serializedBytes()
    } catch {
      throw EngineError(.io, "cannot serialize the model (\(error))")
    }
  }

  /// Writes a model to `url` atomically (temporary file in the same directory, then rename).
  public static func write(_ model: Model, to url: URL) throws(EngineError) {
    try AtomicFile.write(try serialize(model), to: url)
  }

  /// Builds the ONNX `ModelProto` for a model.
  static func modelProto(_ model: Model) -> Onnx_ModelProto {
    let graph = model.graph
    let opset = graph.opset > 0 ? graph.opset : defaultOpset
    var proto = Onnx_ModelProto()
    proto.irVersion = Int64(model.provenance.irVersion ?? defaultIRVersion)
    proto.producerName = "jumpstation"
    proto.producerVersion = JumpEngineInfo.version
    var opsetID = Onnx_OperatorSetIdProto()
    opsetID.domain = ""
    opsetID.version = Int64(opset)
    proto.opsetImport = [opsetID]
    proto.graph = graphProto(graph, opset: opset)
    return proto
  }

  /// Builds the ONNX `GraphProto`, adding constant inputs for attribute-like values where the opset needs them.
  static func graphProto(_ graph: Graph, opset: Int) -> Onnx_GraphProto {
    var g = Onnx_GraphProto()
    g.name = graph.name.isEmpty ? "jumpstation" : graph.name
    var writer = ONNXNodeWriter(opset: opset, taken: Set(graph.initializers.keys).union(graph.valueInfo.keys))
    for node in graph.nodes { g.node.append(writer.nodeProto(node)) }
    var initializers = graph.initializers
    for (name, tensor) in writer.extraInitializers { initializers[name] = tensor }
    g.initializer = initializers.keys.sorted().compactMap { name in
      initializers[name].map { ONNXTensorConversion.proto($0, name: name) }
    }
    g.input = graph.inputs.map { ONNXTensorConversion.proto($0) }
    g.output = graph.outputs.map { ONNXTensorConversion.proto($0) }
    let boundary = Set(graph.inputs.map(\.name)).union(graph.outputs.map(\.name)).union(initializers.keys)
    g.valueInfo = graph.nodes.flatMap(\.outputs).filter { !boundary.contains($0) }.compactMap { name in
      graph.valueInfo[name].map { ONNXTensorConversion.proto($0) }
    }
    return g
  }
}
