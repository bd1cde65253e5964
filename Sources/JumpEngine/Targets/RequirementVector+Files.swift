import ONNXProto

/// The operators and edges of the files `export` writes, read from the file contents themselves.
extension RequirementVector {
  /// What a `.tflite` of `graph` with `io` edges declares: its operators (with the version written in
  /// the file's operator codes), and its inputs and outputs in the file's NHWC layout.
  public static func tfliteInterface(
    _ graph: QuantizedGraph, io: TFLiteIO
  ) throws(EngineError) -> (operators: [Operator], inputs: [Edge], outputs: [Edge]) {
    let model = try TFLiteExporter.fileContents(graph, io: io)
    var counts: [String: Int] = [:]
    var order: [String] = []
    for op in model.operators {
      let name = op.op.schemaName
      if counts[name] == nil { order.append(name) }
      counts[name, default: 0] += 1
    }
    // The serializer writes every operator code at version 1, the version TFLite Micro and LiteRT
    // resolve for the kernels these files use.
    let operators = order.map { Operator(name: $0, version: 1, count: counts[$0] ?? 0) }
    func edge(_ index: Int) -> Edge {
      let tensor = model.tensors[index]
      let quantization = tensor.quantization
      return Edge(
        name: tensor.name, dtype: tensor.type.name, shape: tensor.shape,
        scale: quantization.flatMap { $0.scales.count == 1 ? Double($0.scales[0]) : nil },
        zeroPoint: quantization.flatMap { $0.zeroPoints.count == 1 ? Int($0.zeroPoints[0]) : nil })
    }
    return (operators, model.inputs.map(edge), model.outputs.map(edge))
  }

  /// What an `.onnx` of `model` declares: its op types at the opset it is written with, and its edges.
  public static func onnxInterface(
    _ model: Model, opset: Int
  ) -> (operators: [Operator], inputs: [Edge], outputs: [Edge]) {
    var counts: [String: Int] = [:]
    var order: [String] = []
    for node in model.graph.nodes {
      let name = node.op.onnxName
      if counts[name] == nil { order.append(name) }
      counts[name, default: 0] += 1
    }
    func edge(_ info: ValueInfo) -> Edge {
      Edge(name: info.name, dtype: info.dtype.description, shape: info.shape.map { $0.value ?? -1 })
    }
    return (
      order.map { Operator(name: $0, version: opset, count: counts[$0] ?? 0) }, model.inputs.map(edge),
      model.outputs.map(edge)
    )
  }
}

extension TFLiteTensorType {
  /// The dtype name requirement vectors use: `int8`, `float32`, ...
  var name: String {
    switch self {
    case .float32: return "float32"
    case .int32: return "int32"
    case .int64: return "int64"
    case .int16: return "int16"
    case .int8: return "int8"
    case .int4: return "int4"
    }
  }
}

extension RequirementVector {
  /// What the QDQ `.onnx` of `graph` declares: its op types at opset 21 and its float edges.
  public static func qdqInterface(
    _ graph: QuantizedGraph, batch: String?
  ) throws(EngineError) -> (operators: [Operator], inputs: [Edge], outputs: [Edge]) {
    let proto = try ONNXQDQExporter.modelProto(graph, batch: batch)
    var counts: [String: Int] = [:]
    var order: [String] = []
    for node in proto.graph.node {
      if counts[node.opType] == nil { order.append(node.opType) }
      counts[node.opType, default: 0] += 1
    }
    func edge(_ info: Onnx_ValueInfoProto) -> Edge {
      let dims = info.type.tensorType.shape.dim.map { $0.dimParam.isEmpty ? Int($0.dimValue) : -1 }
      return Edge(name: info.name, dtype: "float32", shape: dims)
    }
    return (
      order.map { Operator(name: $0, version: ONNXQDQExporter.opset, count: counts[$0] ?? 0) },
      proto.graph.input.map(edge), proto.graph.output.map(edge)
    )
  }
}
