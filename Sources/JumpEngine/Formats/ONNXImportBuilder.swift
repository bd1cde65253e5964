import ONNXProto

/// The state of one ONNX graph conversion: values known so far, nodes emitted, and removed aliases.
struct ONNXImportBuilder {
  /// The default-domain opset of the model.
  let opset: Int
  /// Constant tensors: the model's initializers, `Constant` outputs and fully folded values.
  var initializers: [String: Tensor]
  /// Folded values that still contain symbolic dimensions.
  var folded: [String: FoldedValue] = [:]
  /// Shapes and types of every value seen so far.
  var infos: [String: ValueInfo]
  /// Outputs of removed nodes (Identity, Dropout, no-op Cast) mapped to the value they forward.
  var aliases: [String: String] = [:]
  /// Outputs that were dropped because the engine does not compute them (BN training outputs, masks).
  var droppedOutputs: [String: String] = [:]
  /// The emitted nodes, in order.
  var nodes: [Node] = []

  /// Creates a builder over the graph's inputs and initializers.
  init(opset: Int, inputs: [ValueInfo], initializers: [String: Tensor]) {
    self.opset = opset
    self.initializers = initializers
    var infos: [String: ValueInfo] = [:]
    for input in inputs { infos[input.name] = input }
    for (name, t) in initializers { infos[name] = ValueInfo(name: name, fixedShape: t.shape, dtype: t.dtype) }
    self.infos = infos
  }

  /// The value `name` refers to after removed nodes are skipped.
  func resolve(_ name: String) -> String {
    var current = name
    var steps = 0
    while let next = aliases[current], steps < aliases.count {
      current = next
      steps += 1
    }
    return current
  }

  /// The load-time value of `name`, if it is constant or folded.
  func known(_ name: String) -> FoldedValue? {
    if let f = folded[name] { return f }
    return initializers[name].map { FoldedValue($0) }
  }

  /// Converts one ONNX node (already in topological order) and records its outputs.
  mutating func add(_ proto: Onnx_NodeProto, name: String) throws(EngineError) {
    let a = ONNXAttributes(proto, name: name)
    guard proto.domain.isEmpty || proto.domain == "ai.onnx" else {
      throw EngineError(
        .unsupportedOp, "node '\(name)': unsupported op '\(proto.domain).\(proto.opType)' (opset \(opset))")
    }
    var inputs: [String] = []
    for raw in proto.input {
      let input = raw.isEmpty ? "" : resolve(raw)
      if let producer = droppedOutputs[input] {
        throw EngineError(
          .unsupportedOp,
          "node '\(name)': uses output '\(input)' of '\(producer)', which is only computed in training")
      }
      inputs.append(input)
    }
    let firstOutput = proto.output.first ?? ""
    switch proto.opType {
    case "Constant":
      let value = try a.constantValue()
      initializers[firstOutput] = value
      infos[firstOutput] = ValueInfo(name: firstOutput, fixedShape: value.shape, dtype: value.dtype)
      return
    case "Identity", "Dropout":
      guard let source = inputs.first, !source.isEmpty else { throw a.error("has no input") }
      aliases[firstOutput] = source
      for extra in proto.output.dropFirst() where !extra.isEmpty { droppedOutputs[extra] = name }
      return
    default:
      break
    }
    if foldableONNXOps.contains(proto.opType), let value = try fold(proto, a, inputs: inputs) {
      if let tensor = value.tensor {
        initializers[firstOutput] = tensor
      } else {
        folded[firstOutput] = value
      }
      infos[firstOutput] = ValueInfo(name: firstOutput, fixedShape: value.shape, dtype: value.dtype)
      return
    }
    switch proto.opType {
    case "Gather", "Slice", "Shape":
      throw EngineError(
        .unsupportedOp,
        "node '\(name)': unsupported op '\(proto.opType)' on a runtime tensor (only shape computations that fold at load are supported) (opset \(opset))"
      )
    case "Cast":
      let target = ONNXTensorConversion.dtype(onnxCode: Int32(clamping: a.int("to", default: 1)))
      guard let source = inputs.first, let info = infos[source], info.dtype == target else {
        throw EngineError(
          .unsupportedOp,
          "node '\(name)': unsupported op 'Cast' between types on a runtime tensor (opset \(opset))")
      }
      aliases[firstOutput] = source
      return
    default:
      break
    }
    guard let (op, dataInputs) = try mapOp(proto, a, inputs: inputs) else {
      aliases[firstOutput] = inputs.first ?? ""
      return
    }
    for extra in proto.output.dropFirst() where !extra.isEmpty { droppedOutputs[extra] = name }
    let node = Node(name: name, op: op, inputs: dataInputs, outputs: [firstOutput])
    var nodeInputs: [ValueInfo] = []
    for input in dataInputs {
      guard let info = infos[input] else {
        throw a.error("input '\(input)' is not produced by any node, graph input or initializer")
      }
      nodeInputs.append(info)
    }
    for info in try ShapeInference.infer(node, inputs: nodeInputs, constants: initializers) {
      infos[info.name] = info
    }
    nodes.append(node)
  }

  /// A constant input as integers, or an error naming the node.
  func constantInts(_ name: String, _ a: ONNXAttributes, what: String) throws(EngineError) -> [Int] {
    guard let value = known(name) else {
      throw EngineError(
        .unsupportedOp,
        "node '\(a.nodeName)': \(a.opType) with a non-constant \(what) input is not supported (opset \(opset))"
      )
    }
    guard let ints = value.ints else {
      throw a.error("\(what) input contains unresolved symbolic dimensions")
    }
    return ints
  }

  /// A constant scalar float input, nil when the input is absent (empty name).
  func constantScalar(
    _ inputs: [String], _ index: Int, _ a: ONNXAttributes, what: String
  ) throws(EngineError)
    -> Float?
  {
    guard index < inputs.count, !inputs[index].isEmpty else { return nil }
    guard let value = known(inputs[index]), value.elements.count == 1, let v = value.elements[0].double else {
      throw EngineError(
        .unsupportedOp,
        "node '\(a.nodeName)': \(a.opType) with a non-constant \(what) input is not supported (opset \(opset))"
      )
    }
    return Float(v)
  }
}
