/// Quantization of each kind of lowered op.
extension QuantizerPass {
  /// Quantizes one node that is not kept in float.
  mutating func quantize(_ node: QuantizedNode) throws(EngineError) {
    var rewritten = node
    // Activation inputs produced by a float layer are quantized first.
    for (i, input) in node.inputs.enumerated() {
      let tensor = try source.tensor(input)
      if !tensor.isConstant && !isQuantizedActivation(input) { rewritten.inputs[i] = try quantized(input) }
    }
    guard let output = node.outputs.first, node.outputs.count == 1 else {
      throw EngineError(.invalidModel, "node '\(node.name)' must have exactly one output")
    }
    switch node.op {
    case .conv2D, .depthwiseConv2D, .fullyConnected:
      try quantizeWeights(&rewritten)
      try setFreeOutput(node, output)
    case .add, .sub, .mul, .quantize:
      for (i, input) in node.inputs.enumerated() where source.tensors[input]?.isConstant == true {
        rewritten.inputs[i] = try constantOperand(input, parameters: nil)
      }
      try setFreeOutput(node, output)
    case .hardSwish where activationType == .int16:
      try quantizeHardSwish16(node, input: rewritten.inputs[0])
      return
    case .mean, .hardSwish:
      try setFreeOutput(node, output)
    case .logistic, .softmax:
      try setOutput(output, QuantizationRules.probabilityParameters(type: activationType))
    case .reshape, .maxPool2D, .averagePool2D, .pad:
      guard let input = tensors[rewritten.inputs[0]]?.quantization else {
        throw EngineError(
          .invalidModel, "node '\(node.name)': input '\(rewritten.inputs[0])' is not quantized")
      }
      try setOutput(output, input)
    case .concatenation:
      try quantizeConcatenation(&rewritten, node)
    case .dequantize:
      throw EngineError(.invalidModel, "node '\(node.name)': a lowered graph has no DEQUANTIZE")
    case .float:
      try keepFloat(node)
      return
    }
    emit(rewritten)
  }

  /// Sets a quantized output tensor with `parameters`.
  mutating func setOutput(_ name: String, _ parameters: QuantizationParameters) throws(EngineError) {
    var tensor = try source.tensor(name)
    tensor.elementType = activationType
    tensor.quantization = parameters
    tensors[name] = tensor
  }

  /// Output parameters chosen from the output's range, clamped by the fused activation.
  mutating func setFreeOutput(_ node: QuantizedNode, _ name: String) throws(EngineError) {
    let observed = try range(of: name, producer: node)
    var clamped = RangeInference.clamp(observed, to: node.op.activation)
    if let distinguished = readerDistinguishedRange(of: name) {
      clamped = ReaderSaturation.narrow(clamped, to: distinguished)
    }
    try setOutput(name, try parameters(forRange: clamped))
  }

  /// The interval the only reader of activation `name` distinguishes (`ReaderSaturation`), or nil when it
  /// has another reader, is a graph output, its reader stays in float, or the options turn this off.
  func readerDistinguishedRange(of name: String) -> ClosedRange<Float>? {
    guard options.narrowsToReaders, readerCounts[name] == 1, !source.outputs.contains(name),
      let reader = source.nodes.first(where: { $0.inputs.contains(name) }),
      let index = reader.inputs.firstIndex(of: name), !options.skip.matches(reader)
    else { return nil }
    if case .float = reader.op { return nil }
    let sourceTensors = source.tensors
    return ReaderSaturation.distinguishedRange(of: reader, input: index) { constantName in
      guard let tensor = sourceTensors[constantName], tensor.isConstant else { return nil }
      return tensor.dequantizedValues()
    }
  }

  /// Replaces the filter and bias of a conv / depthwise / fully connected node with integer constants.
  mutating func quantizeWeights(_ node: inout QuantizedNode) throws(EngineError) {
    guard node.inputs.count == 3, let inputScale = tensors[node.inputs[0]]?.quantization?.scale else {
      throw EngineError(.invalidModel, "node '\(node.name)': expected a quantized input, a filter and a bias")
    }
    let filter = try source.tensor(node.inputs[1])
    let bias = try source.tensor(node.inputs[2])
    guard let w = filter.dequantizedValues(), let b = bias.dequantizedValues(),
      let channels = filter.shape.first,
      b.count == channels
    else { throw EngineError(.invalidModel, "node '\(node.name)': filter and bias must be float constants") }
    let precision = options.precision
    let axis: Int? = options.perChannel ? 0 : nil
    let (qw, scales) = QuantizationRules.symmetricWeights(
      w, shape: filter.shape, axis: axis, limit: precision.weightLimit)
    node.inputs[1] = add(
      QuantizedTensor(
        name: filter.name, shape: filter.shape, elementType: precision.weightType,
        quantization: QuantizationParameters(
          scales: scales, zeroPoints: Array(repeating: 0, count: scales.count), axis: axis),
        data: QuantizationRules.storage(qw, type: precision.weightType)))
    let (qb, biasScales) = QuantizationRules.bias(
      b, inputScale: inputScale, weightScales: scales, type: precision.biasType)
    node.inputs[2] = add(
      QuantizedTensor(
        name: bias.name, shape: bias.shape, elementType: precision.biasType,
        quantization: QuantizationParameters(
          scales: biasScales, zeroPoints: Array(repeating: 0, count: biasScales.count), axis: axis),
        data: QuantizationRules.storage(qb, type: precision.biasType)))
  }

  /// A constant operand of a binary op or concatenation, quantized per tensor like an activation: with its
  /// own range, or with `parameters` when the op requires them.
  mutating func constantOperand(
    _ name: String, parameters given: QuantizationParameters?
  ) throws(EngineError) -> String {
    let tensor = try source.tensor(name)
    guard let values = tensor.dequantizedValues() else {
      throw EngineError(.invalidModel, "constant '\(name)' has no float values")
    }
    let parameters: QuantizationParameters
    if let given {
      parameters = given
    } else {
      parameters = try QuantizationRules.activationParameters(
        low: values.min() ?? 0, high: values.max() ?? 0, type: activationType)
    }
    let range = activationType.integerRange ?? -128...127
    let q = values.map {
      QuantizationRules.quantize($0, scale: parameters.scale, zeroPoint: parameters.zeroPoint, range: range)
    }
    return add(
      QuantizedTensor(
        name: name, shape: tensor.shape, elementType: activationType, quantization: parameters,
        data: QuantizationRules.storage(q, type: activationType)))
  }

  /// CONCATENATION: one set of parameters for the output and every input (TFLite Micro requires them equal).
  ///
  /// The output range is the union of the inputs' ranges (and the output's own, when calibrated), clamped
  /// by a fused activation. An input whose producer has free output parameters and no other reader adopts
  /// the shared parameters; any other input is requantized by a QUANTIZE op, a constant is quantized with them.
  mutating func quantizeConcatenation(
    _ rewritten: inout QuantizedNode, _ node: QuantizedNode
  ) throws(EngineError) {
    var union: ClosedRange<Float>? = ranges[node.outputs[0]]
    for input in node.inputs {
      let tensor = try source.tensor(input)
      let r: ClosedRange<Float>
      if tensor.isConstant, let values = tensor.dequantizedValues() {
        r = (values.min() ?? 0)...(values.max() ?? 0)
      } else {
        r = try range(of: input, producer: source.producer(of: input))
      }
      union = union.map { min($0.lowerBound, r.lowerBound)...max($0.upperBound, r.upperBound) } ?? r
    }
    guard let union else { throw EngineError(.invalidModel, "node '\(node.name)' has no inputs") }
    let shared = try parameters(forRange: RangeInference.clamp(union, to: node.op.activation))
    for (i, input) in node.inputs.enumerated() {
      if source.tensors[input]?.isConstant == true {
        rewritten.inputs[i] = try constantOperand(input, parameters: shared)
        continue
      }
      let current = rewritten.inputs[i]
      guard tensors[current]?.quantization != shared else { continue }
      if canAdopt(current, readers: readerCounts[input] ?? 0) {
        tensors[current]?.quantization = shared
      } else {
        let name = add(
          QuantizedTensor(
            name: "\(current)#requantized", shape: try source.tensor(input).shape,
            elementType: activationType,
            quantization: shared))
        emit(QuantizedNode(name: "\(current)#requantize", op: .quantize, inputs: [current], outputs: [name]))
        rewritten.inputs[i] = name
      }
    }
    try setOutput(node.outputs[0], shared)
  }

  /// True when the parameters of `name` may be changed after its producer was quantized: the producer
  /// chooses its output parameters freely, only one node reads it, and it is not a graph input or output.
  func canAdopt(_ name: String, readers: Int) -> Bool {
    guard readers == 1, !source.outputs.contains(name), !source.inputs.contains(name),
      let producer = nodes.last(where: { $0.outputs.contains(name) })
    else { return false }
    switch producer.op {
    case .conv2D, .depthwiseConv2D, .fullyConnected, .add, .sub, .mul, .mean, .hardSwish, .quantize:
      return true
    default: return false
    }
  }
}
