/// One device-graph node as TFLite operators.
extension TFLiteGraphWriter {
  /// Writes `node`.
  mutating func write(_ node: QuantizedNode) throws(EngineError) {
    guard let outputName = node.outputs.first else {
      throw EngineError(.invalidModel, "node '\(node.name)' has no output")
    }
    let outputShape = try graph.tensor(outputName).shape
    let rank = outputShape.count
    switch node.op {
    case .conv2D(let options):
      try writeConvolution(node, options, depthwise: false)
    case .depthwiseConv2D(let options):
      try writeConvolution(node, options, depthwise: true)
    case .fullyConnected(let activation):
      let columns = flattenedOrder[node.inputs[0]]
      let inputs = [
        try self.activation(node.inputs[0]),
        try constant(node.inputs[1], role: .fullyConnectedFilter(columns: columns)),
        try constant(node.inputs[2], role: .asIs),
      ]
      emit(
        .fullyConnected, inputs: inputs, outputs: [try self.activation(outputName)],
        options: .fullyConnected(activation: TFLiteActivation(activation)))
    case .add(let activation):
      try writeElementwise(node, .add, .add(activation: TFLiteActivation(activation)), rank: rank)
    case .sub(let activation):
      try writeElementwise(node, .sub, .sub(activation: TFLiteActivation(activation)), rank: rank)
    case .mul(let activation):
      try writeElementwise(node, .mul, .mul(activation: TFLiteActivation(activation)), rank: rank)
    case .averagePool2D(let options):
      try writePool(node, options, op: .averagePool2D)
    case .maxPool2D(let options):
      try writePool(node, options, op: .maxPool2D)
    case .mean(let axes, let keepDims):
      let inputRank = try graph.tensor(node.inputs[0]).shape.count
      if !keepDims && axes.contains(1) && TFLiteLayout.movesChannels(rank: rank) {
        throw unsupported(node, "a MEAN over channels that drops them leaves a layout the file cannot keep")
      }
      let fileAxes = axes.map { TFLiteLayout.channelLastAxis($0, rank: inputRank) }.sorted()
      let axesTensor = int32Constant("\(node.name)#axes", shape: [fileAxes.count], values: fileAxes)
      emit(
        .mean, inputs: [try activation(node.inputs[0]), axesTensor], outputs: [try activation(outputName)],
        options: .reducer(keepDims: keepDims))
    case .reshape:
      try writeReshape(node, output: outputName)
    case .softmax(let beta):
      try writeUnary(node, .softmax, .softmax(beta: beta))
    case .logistic:
      try writeUnary(node, .logistic, .none)
    case .hardSwish:
      try writeUnary(node, .hardSwish, .hardSwish)
    case .quantize:
      try writeUnary(node, .quantize, .quantize)
    case .dequantize:
      try writeUnary(node, .dequantize, .dequantize)
    case .concatenation(let axis, let activation):
      var inputs: [Int] = []
      for input in node.inputs { inputs.append(try operand(input, role: .activationLike(rank: rank))) }
      emit(
        .concatenation, inputs: inputs, outputs: [try self.activation(outputName)],
        options: .concatenation(
          axis: TFLiteLayout.channelLastAxis(axis, rank: rank), activation: TFLiteActivation(activation)))
    case .pad(let pads):
      let input = try activation(node.inputs[0])
      let paddings = paddingsTensor("\(node.name)#paddings", pads: pads, rank: rank)
      emit(.pad, inputs: [input, paddings], outputs: [try activation(outputName)], options: .pad)
    case .float(let source):
      try writeFloat(node, source)
    }
  }

  /// The error for a node the file cannot express.
  func unsupported(_ node: QuantizedNode, _ reason: String) -> EngineError {
    EngineError(
      .unsupportedOp, "node '\(node.name)' (\(node.op.tfliteName)) cannot be written to TFLite: \(reason)")
  }

  /// An op of one activation input and one output.
  mutating func writeUnary(
    _ node: QuantizedNode, _ op: TFLiteBuiltinOperator, _ options: TFLiteBuiltinOptions
  ) throws(EngineError) {
    emit(
      op, inputs: [try activation(node.inputs[0])], outputs: [try activation(node.outputs[0])],
      options: options)
  }

  /// ADD / SUB / MUL: constants broadcast as in the graph once both sides are channel-last.
  mutating func writeElementwise(
    _ node: QuantizedNode, _ op: TFLiteBuiltinOperator, _ options: TFLiteBuiltinOptions, rank: Int
  ) throws(EngineError) {
    var inputs: [Int] = []
    for input in node.inputs {
      let tensor = try graph.tensor(input)
      if !tensor.isConstant, tensor.shape.count != rank, TFLiteLayout.movesChannels(rank: rank) {
        throw unsupported(
          node, "operand '\(input)' of rank \(tensor.shape.count) broadcasts against rank \(rank)")
      }
      inputs.append(try operand(input, role: .activationLike(rank: rank)))
    }
    emit(op, inputs: inputs, outputs: [try activation(node.outputs[0])], options: options)
  }

  /// The `[rank, 2]` int32 paddings of a PAD, from the graph's begins-then-ends pads.
  mutating func paddingsTensor(_ name: String, pads: [Int], rank: Int) -> Int {
    let order = TFLiteLayout.channelLastOrder(rank: rank)
    let values = order.flatMap { [pads[$0], pads[rank + $0]] }
    return int32Constant(name, shape: [rank, 2], values: values)
  }

  /// CONV_2D / DEPTHWISE_CONV_2D, with a PAD in front when the explicit pads are neither SAME nor VALID.
  mutating func writeConvolution(
    _ node: QuantizedNode, _ options: Conv2DOptions, depthwise: Bool
  ) throws(EngineError) {
    let x = try graph.tensor(node.inputs[0])
    let w = try graph.tensor(node.inputs[1])
    let y = try graph.tensor(node.outputs[0])
    guard x.shape.count == 4, w.shape.count == 4, y.shape.count == 4 else {
      throw unsupported(node, "only 4-D convolutions have a TFLite form")
    }
    var input = try activation(node.inputs[0])
    var window = TFLiteWindow.matching(
      input: Array(x.shape[2...]), output: Array(y.shape[2...]), kernel: Array(w.shape[2...]),
      strides: options.strides, dilations: options.dilations, pads: options.pads)
    if window == nil {
      let p = options.pads
      let padded = [x.shape[0], x.shape[1], x.shape[2] + p[0] + p[2], x.shape[3] + p[1] + p[3]]
      let paddedIndex = extraActivation(
        "\(node.inputs[0])#padded-for-\(node.name)", logicalShape: padded, like: x)
      let paddings = paddingsTensor(
        "\(node.name)#paddings", pads: [0, 0, p[0], p[1], 0, 0, p[2], p[3]], rank: 4)
      emit(.pad, inputs: [input, paddings], outputs: [paddedIndex], options: .pad)
      input = paddedIndex
      window = TFLiteWindow(padding: .valid, strides: options.strides)
    }
    guard let window else { return }
    let activation = TFLiteActivation(options.activation)
    let filter = try constant(node.inputs[1], role: depthwise ? .depthwiseFilter : .convFilter)
    let bias = try constant(node.inputs[2], role: .asIs)
    let output = try self.activation(node.outputs[0])
    if depthwise {
      emit(
        .depthwiseConv2D, inputs: [input, filter, bias], outputs: [output],
        options: .depthwiseConv2D(
          padding: window.padding, strideH: window.strides[0], strideW: window.strides[1],
          depthMultiplier: options.depthMultiplier, dilationH: options.dilations[0],
          dilationW: options.dilations[1], activation: activation))
    } else {
      emit(
        .conv2D, inputs: [input, filter, bias], outputs: [output],
        options: .conv2D(
          padding: window.padding, strideH: window.strides[0], strideW: window.strides[1],
          dilationH: options.dilations[0], dilationW: options.dilations[1], activation: activation))
    }
  }

  /// AVERAGE_POOL_2D / MAX_POOL_2D; padding that is neither SAME nor VALID has no exact TFLite form.
  mutating func writePool(
    _ node: QuantizedNode, _ options: Pool2DOptions, op: TFLiteBuiltinOperator
  ) throws(EngineError) {
    let x = try graph.tensor(node.inputs[0]).shape
    let y = try graph.tensor(node.outputs[0]).shape
    guard x.count == 4, y.count == 4,
      let window = TFLiteWindow.matching(
        input: Array(x[2...]), output: Array(y[2...]), kernel: options.kernel, strides: options.strides,
        dilations: [1, 1], pads: options.pads)
    else {
      throw unsupported(
        node,
        "pads \(options.pads) for a \(options.kernel) window over \(Array(x.dropFirst(2))) are neither SAME nor VALID"
      )
    }
    emit(
      op, inputs: [try activation(node.inputs[0])], outputs: [try activation(node.outputs[0])],
      options: .pool2D(
        padding: window.padding, strideH: window.strides[0], strideW: window.strides[1],
        filterH: options.kernel[0], filterW: options.kernel[1],
        activation: TFLiteActivation(options.activation)))
  }

  /// RESHAPE. A reshape that merges channels with spatial cells reads elements in a different order once
  /// the input is channel-last; that order is absorbed by reordering the columns of the FULLY_CONNECTED
  /// layers that read the result, and is an error for any other reader.
  mutating func writeReshape(_ node: QuantizedNode, output: String) throws(EngineError) {
    let x = try graph.tensor(node.inputs[0]).shape
    let y = try graph.tensor(output).shape
    let inputOrder = TFLiteLayout.channelLastPermutation(x)
    let outputOrder = TFLiteLayout.channelLastPermutation(y)
    if inputOrder != outputOrder {
      let readers = graph.consumers(of: output)
      let onlyFullyConnected = readers.allSatisfy { reader in
        if case .fullyConnected = reader.op, reader.inputs.first == output { return true }
        return false
      }
      guard y.count == 2, !readers.isEmpty, onlyFullyConnected, !graph.outputs.contains(output) else {
        throw unsupported(
          node,
          "reshaping \(x) to \(y) reorders elements in NHWC and its result is not read by FULLY_CONNECTED only"
        )
      }
      // One sample's order; the batch is outermost in both layouts.
      flattenedOrder[output] = Array(inputOrder.prefix(y[1]))
    }
    let fileShape = TFLiteLayout.channelLast(y)
    let shapeTensor = int32Constant("\(node.name)#shape", shape: [fileShape.count], values: fileShape)
    emit(
      .reshape, inputs: [try activation(node.inputs[0]), shapeTensor], outputs: [try activation(output)],
      options: .reshape(newShape: fileShape))
  }
}
