import Foundation
import ONNXProto

/// Builds the `GraphProto` of a QDQ export, one device op at a time.
///
/// Each tensor of the device graph is represented in ONNX by a float value (`floatNames`): a float
/// tensor by itself, an integer activation by the output of its `DequantizeLinear`, an integer constant
/// by the `DequantizeLinear` of its integer initializer. A device op becomes its float op (the mapping
/// the simulation uses), its fused activation an explicit `Relu`/`Clip`, and an integer output a
/// `QuantizeLinear`→`DequantizeLinear` pair whose dequantized value keeps the device tensor's name.
struct ONNXQDQGraphBuilder {
  /// The device graph being written.
  let graph: QuantizedGraph
  /// The symbolic batch dimension's name, or nil for static shapes.
  let batch: String?
  /// The nodes written so far, in execution order.
  private var nodes: [Onnx_NodeProto] = []
  /// The initializers written so far.
  private var initializers: [Onnx_TensorProto] = []
  /// For each device tensor, the ONNX value holding its real (dequantized) value.
  private var floatNames: [String: String] = [:]
  /// For each integer tensor, its scale and zero point initializers.
  private var parameterNames: [String: (scale: String, zeroPoint: String)] = [:]
  /// Every ONNX value name in use.
  private var taken: Set<String>
  /// Writes float ops (attributes, constant inputs) for opset 21.
  private var writer: ONNXNodeWriter

  /// Creates a builder for `graph`.
  init(graph: QuantizedGraph, batch: String?) {
    self.graph = graph
    self.batch = batch
    taken = Set(graph.tensors.keys)
    writer = ONNXNodeWriter(opset: ONNXQDQExporter.opset, taken: taken)
  }

  /// Writes every node and returns the graph.
  mutating func build() throws(EngineError) -> Onnx_GraphProto {
    for input in graph.inputs { try declareInput(input) }
    for node in graph.nodes { try emit(node) }
    for output in graph.outputs {
      let value = try floatValue(of: output)
      if value != output {
        append(op: "Identity", name: "\(output)_Identity", inputs: [value], outputs: [output])
      }
    }
    for (name, tensor) in writer.extraInitializers {
      initializers.append(ONNXTensorConversion.proto(tensor, name: name))
    }
    var proto = Onnx_GraphProto()
    proto.name = graph.name.isEmpty ? "jumpstation" : graph.name
    proto.node = nodes
    proto.initializer = initializers
    proto.input = try graph.inputs.map { name throws(EngineError) in try boundaryInfo(name) }
    proto.output = try graph.outputs.map { name throws(EngineError) in try boundaryInfo(name) }
    return proto
  }

  // MARK: - Values

  /// A graph input: float32 in ONNX, quantized and dequantized at once when the device reads integers.
  private mutating func declareInput(_ name: String) throws(EngineError) {
    let tensor = try graph.tensor(name)
    guard tensor.elementType != .float32 else {
      floatNames[name] = name
      return
    }
    let quantized = unique("\(name)_quantized")
    let dequantized = unique("\(name)_dequantized")
    try quantizeLinear(tensor, from: name, to: quantized)
    try dequantizeLinear(tensor, from: quantized, to: dequantized)
    floatNames[name] = dequantized
  }

  /// The ONNX float value for a device tensor; constants are written on first use.
  private mutating func floatValue(of name: String) throws(EngineError) -> String {
    if let known = floatNames[name] { return known }
    let tensor = try graph.tensor(name)
    guard let data = tensor.data else {
      throw EngineError(.invalidModel, "QDQ export: '\(name)' is read before anything produces it")
    }
    switch (tensor.elementType, data) {
    case (.float32, .float32(let values)):
      initializers.append(ONNXTensorConversion.proto(Tensor(shape: tensor.shape, floats: values), name: name))
      floatNames[name] = name
    case (.int64, _):
      // DequantizeLinear takes no int64, so int16x8's 64-bit biases are written dequantized.
      guard let values = tensor.dequantizedValues() else {
        throw EngineError(.invalidModel, "QDQ export: constant '\(name)' has no quantization parameters")
      }
      let floatName = unique("\(name)_dequantized")
      initializers.append(
        ONNXTensorConversion.proto(Tensor(shape: tensor.shape, floats: values), name: floatName))
      floatNames[name] = floatName
    default:
      initializers.append(try integerInitializer(tensor, data: data, name: name))
      let dequantized = unique("\(name)_dequantized")
      try dequantizeLinear(tensor, from: name, to: dequantized)
      floatNames[name] = dequantized
    }
    return floatNames[name]!
  }

  // MARK: - Nodes

  /// Writes one device op.
  private mutating func emit(_ node: QuantizedNode) throws(EngineError) {
    guard node.outputs.count == 1, let output = node.outputs.first else {
      throw EngineError(.invalidModel, "QDQ export: node '\(node.name)' must have one output")
    }
    let outputTensor = try graph.tensor(output)
    let isInteger = outputTensor.elementType != .float32
    var inputs: [String] = []
    for input in node.inputs { inputs.append(try floatValue(of: input)) }

    let computed: String
    switch node.op {
    case .dequantize:
      floatNames[output] = inputs[0]
      return
    case .quantize:
      computed = inputs[0]
    case .float(let source):
      computed = isInteger ? unique("\(output)_float") : output
      var rewritten = source
      rewritten.inputs = inputs
      rewritten.outputs = [computed]
      nodes.append(writer.nodeProto(rewritten))
    case .pad(let pads):
      computed = isInteger ? unique("\(output)_float") : output
      let padsName = unique("\(node.name)_pads")
      initializers.append(
        ONNXTensorConversion.proto(
          Tensor(shape: [pads.count], int64s: pads.map { Int64($0) }), name: padsName))
      append(op: "Pad", name: node.name, inputs: [inputs[0], padsName], outputs: [computed])
    default:
      computed = isInteger ? unique("\(output)_float") : output
      try emitFloatOp(node, inputs: inputs, output: computed)
    }

    if isInteger {
      let quantized = unique("\(output)_quantized")
      try quantizeLinear(outputTensor, from: computed, to: quantized)
      try dequantizeLinear(outputTensor, from: quantized, to: output)
    }
    floatNames[output] = output
  }

  /// Writes the float op of a device op and its fused activation, ending in `output`.
  private mutating func emitFloatOp(
    _ node: QuantizedNode, inputs: [String], output: String
  ) throws(EngineError) {
    let inputShape = node.inputs.first.flatMap { graph.tensors[$0]?.shape }
    let weightShape = node.inputs.count > 1 ? graph.tensors[node.inputs[1]]?.shape : nil
    guard var op = try node.floatOp(inputShape: inputShape, weightShape: weightShape) else {
      throw EngineError(
        .invalidModel, "QDQ export: node '\(node.name)' (\(node.op.tfliteName)) has no float op")
    }
    if case .reshape(var shape, _) = op, batch != nil, !shape.isEmpty {
      shape[0] = -1
      op = .reshape(shape: shape, allowZero: false)
    }
    let activation = node.op.activation
    let opOutput = activation == .none ? output : unique("\(output)_preactivation")
    nodes.append(writer.nodeProto(Node(name: node.name, op: op, inputs: inputs, outputs: [opOutput])))
    switch activation {
    case .none:
      break
    case .relu:
      append(op: "Relu", name: "\(node.name)_Relu", inputs: [opOutput], outputs: [output])
    default:
      let (low, high) = activation.bounds
      let clip = Node(
        name: "\(node.name)_Clip", op: .clip(min: low.isFinite ? low : nil, max: high.isFinite ? high : nil),
        inputs: [opOutput], outputs: [output])
      nodes.append(writer.nodeProto(clip))
    }
  }

  /// `QuantizeLinear(from) -> to` with `tensor`'s parameters.
  private mutating func quantizeLinear(
    _ tensor: QuantizedTensor, from: String, to: String
  ) throws(EngineError) {
    let (scale, zeroPoint) = try parameters(of: tensor)
    var node = makeNode(
      op: "QuantizeLinear", name: "\(to)_QuantizeLinear", inputs: [from, scale, zeroPoint], outputs: [to])
    if let axis = tensor.quantization?.axis { node.attribute = [intAttribute("axis", axis)] }
    nodes.append(node)
  }

  /// `DequantizeLinear(from) -> to` with `tensor`'s parameters.
  private mutating func dequantizeLinear(
    _ tensor: QuantizedTensor, from: String, to: String
  ) throws(EngineError) {
    let (scale, zeroPoint) = try parameters(of: tensor)
    var node = makeNode(
      op: "DequantizeLinear", name: "\(to)_DequantizeLinear", inputs: [from, scale, zeroPoint], outputs: [to])
    if let axis = tensor.quantization?.axis { node.attribute = [intAttribute("axis", axis)] }
    nodes.append(node)
  }

  /// The scale and zero point initializers of an integer tensor, written once.
  private mutating func parameters(of tensor: QuantizedTensor) throws(EngineError) -> (String, String) {
    if let known = parameterNames[tensor.name] { return known }
    guard let q = tensor.quantization, !q.scales.isEmpty, q.scales.count == q.zeroPoints.count else {
      throw EngineError(
        .invalidModel, "QDQ export: integer tensor '\(tensor.name)' has no quantization parameters")
    }
    let shape = q.axis == nil ? [] : [q.scales.count]
    let scale = unique("\(tensor.name)_scale")
    let zeroPoint = unique("\(tensor.name)_zero_point")
    initializers.append(ONNXTensorConversion.proto(Tensor(shape: shape, floats: q.scales), name: scale))
    let zeroData: ConstantData
    switch tensor.elementType {
    case .int8, .int4: zeroData = .int8(q.zeroPoints.map { Int8(truncatingIfNeeded: $0) })
    case .int16: zeroData = .int16(q.zeroPoints.map { Int16(truncatingIfNeeded: $0) })
    case .int32: zeroData = .int32(q.zeroPoints.map { Int32(truncatingIfNeeded: $0) })
    case .float32, .int64:
      throw EngineError(
        .invalidModel, "QDQ export: '\(tensor.name)' (\(tensor.elementType)) cannot be a QDQ operand")
    }
    var zeroTensor = tensor
    zeroTensor.shape = shape
    initializers.append(try integerInitializer(zeroTensor, data: zeroData, name: zeroPoint))
    parameterNames[tensor.name] = (scale, zeroPoint)
    return (scale, zeroPoint)
  }

  // MARK: - Protos

  /// An integer initializer in the tensor's ONNX element type (int4 packed two per byte).
  private func integerInitializer(
    _ tensor: QuantizedTensor, data: ConstantData, name: String
  ) throws(EngineError) -> Onnx_TensorProto {
    var proto = Onnx_TensorProto()
    proto.name = name
    proto.dims = tensor.shape.map { Int64($0) }
    switch (tensor.elementType, data) {
    case (.int8, .int8(let values)):
      proto.dataType = Int32(Onnx_TensorProto.DataType.int8.rawValue)
      proto.rawData = Data(values.map { UInt8(bitPattern: $0) })
    case (.int4, .int8(let values)):
      proto.dataType = Int32(Onnx_TensorProto.DataType.int4.rawValue)
      var packed = [UInt8](repeating: 0, count: Int4Packing.packedCount(values.count))
      try values.withUnsafeBufferPointer { (source) throws(EngineError) in
        try packed.withUnsafeMutableBufferPointer { (target) throws(EngineError) in
          try Int4Packing.pack(source.baseAddress!, count: values.count, into: target.baseAddress!)
        }
      }
      proto.rawData = Data(packed)
    case (.int16, .int16(let values)):
      proto.dataType = Int32(Onnx_TensorProto.DataType.int16.rawValue)
      proto.rawData = values.withUnsafeBytes { Data($0) }
    case (.int32, .int32(let values)):
      proto.dataType = Int32(Onnx_TensorProto.DataType.int32.rawValue)
      proto.rawData = values.withUnsafeBytes { Data($0) }
    default:
      throw EngineError(
        .invalidModel,
        "QDQ export: constant '\(tensor.name)' stores data that does not match \(tensor.elementType)")
    }
    return proto
  }

  /// The float32 value description of a graph input or output, with the batch made symbolic.
  private func boundaryInfo(_ name: String) throws(EngineError) -> Onnx_ValueInfoProto {
    let tensor = try graph.tensor(name)
    var dims = tensor.shape.map { Dim.fixed($0) }
    if let batch, !dims.isEmpty { dims[0] = .symbolic(batch) }
    return ONNXTensorConversion.proto(ValueInfo(name: name, shape: dims, dtype: .float32))
  }

  /// Appends a node with no attributes.
  private mutating func append(op: String, name: String, inputs: [String], outputs: [String]) {
    nodes.append(makeNode(op: op, name: name, inputs: inputs, outputs: outputs))
  }

  private func makeNode(op: String, name: String, inputs: [String], outputs: [String]) -> Onnx_NodeProto {
    var node = Onnx_NodeProto()
    node.opType = op
    node.name = name
    node.input = inputs
    node.output = outputs
    return node
  }

  private func intAttribute(_ name: String, _ value: Int) -> Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.type = .int
    attribute.i = Int64(value)
    return attribute
  }

  /// A value name not yet in use, based on `base`.
  private mutating func unique(_ base: String) -> String {
    var name = base
    var k = 1
    while taken.contains(name) || writer.taken.contains(name) {
      name = "\(base)_\(k)"
      k += 1
    }
    taken.insert(name)
    writer.taken.insert(name)
    return name
  }
}
