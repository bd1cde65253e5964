import Foundation

/// The element type of a `.tflite` file's inputs and outputs.
public enum TFLiteIO: String, Sendable, Hashable, CaseIterable {
  /// Integer inputs and outputs, as microcontroller runtimes want them (the quantized graph's own edges).
  case int8
  /// float32 inputs and outputs: a QUANTIZE after each integer input and a DEQUANTIZE before each output.
  case float
}

/// Writes device graphs as `.tflite` files that LiteRT and TFLite Micro load.
///
/// One subgraph in TFLite's NHWC layout: shapes, axes and constant data are relaid from the graph's logical
/// NCHW once, here, so the file holds no transposes. Kinds follow the graph's element types: fully integer
/// int8, int4 weights (packed), int16x8, or float32 for a lowered graph that was never quantized; layers
/// kept in float export as float ops between the DEQUANTIZE and QUANTIZE the quantizer put around them.
/// Tensors are numbered in the graph's stable order, so the same graph gives the same bytes.
public enum TFLiteExporter {
  /// Serializes a device graph (quantized, or a float `LoweredGraph`'s graph).
  ///
  /// - Parameters:
  ///   - io: the element type at the file's edges; ignored for edges that are already float.
  ///   - metadata: extra `Metadata` entries (name and UTF-8 text) besides the JumpStation version.
  /// - Throws: `unsupportedOp` naming the node when an op has no TFLite form (a layout the writer cannot
  ///   relay without a transpose, a pool padding neither SAME nor VALID), `invalidModel` for a malformed graph.
  public static func serialize(
    _ graph: QuantizedGraph, io: TFLiteIO = .int8, metadata: [(String, String)] = []
  ) throws(EngineError) -> Data {
    var model = try fileContents(graph, io: io)
    model.addMetadata(name: "jumpstation_version", bytes: Array(JumpEngineInfo.version.utf8))
    for (name, text) in metadata { model.addMetadata(name: name, bytes: Array(text.utf8)) }
    return Data(TFLiteSerializer.serialize(model))
  }

  /// The file's contents before serialization: what the memory planner, the latency model and the
  /// requirement vector read, so they describe exactly the file `serialize` writes.
  static func fileContents(_ graph: QuantizedGraph, io: TFLiteIO) throws(EngineError) -> TFLiteModel {
    try graph.validate()
    var writer = TFLiteGraphWriter(graph: graph)
    let model = try writer.run()
    return io == .float ? TFLiteGraphWriter.floatEdges(model) : model
  }

  /// Serializes a float model as a float32 `.tflite`, lowering it to the TFLite op set first.
  public static func serialize(
    floatModel model: Model, metadata: [(String, String)] = []
  ) throws(EngineError) -> Data {
    try serialize(try Lowering.lower(model).graph, io: .float, metadata: metadata)
  }
}
