/// What one node of a `QuantizedGraph` runs on the integer executor, with every parameter precomputed as
/// TFLite Micro's `Prepare` computes it.
enum IntegerNodeKernel {
  /// CONV_2D or DEPTHWISE_CONV_2D on int8 activations (int8 or unpacked int4 weights, int32 bias).
  case conv(ConvolutionQuantization, depthwise: Bool)
  /// CONV_2D or DEPTHWISE_CONV_2D on int16 activations (int8 weights, int64 bias).
  case conv16x8(ConvolutionQuantization, depthwise: Bool)
  /// FULLY_CONNECTED on int8 activations.
  case fullyConnected(ConvolutionQuantization)
  /// FULLY_CONNECTED on int16 activations.
  case fullyConnected16x8(ConvolutionQuantization)
  /// ADD or SUB on int8 or int16.
  case add(AddParameters)
  /// MUL on int8 or int16.
  case mul(MulParameters)
  /// AVERAGE_POOL_2D on int8 or int16.
  case averagePool(Pool2DOptions, ActivationRange)
  /// MAX_POOL_2D on int8 or int16.
  case maxPool(Pool2DOptions, ActivationRange)
  /// MEAN over adjacent axes `first..<first+count` on int8 or int16.
  case mean(MeanParameters, first: Int, count: Int)
  /// SOFTMAX over the channel axis on int8.
  case softmax(SoftmaxParameters)
  /// SOFTMAX over the channel axis on int16.
  case softmax16(Softmax16Parameters)
  /// LOGISTIC on int8.
  case logistic(LogisticParameters)
  /// LOGISTIC on int16.
  case logistic16(Logistic16Parameters)
  /// HARD_SWISH on int8.
  case hardSwish(HardSwishParameters)
  /// RESHAPE: the element order is unchanged, so a copy.
  case copy
  /// CONCATENATION along an axis of inputs sharing the output's parameters.
  case concatenation(axis: Int, ActivationRange)
  /// PAD with the zero point (0 for float).
  case pad(pads: [Int], zeroPoint: Int32)
  /// QUANTIZE from float (TFLite's `AffineQuantize`).
  case quantize(scale: Float, zeroPoint: Int32)
  /// QUANTIZE from an integer tensor (`Requantize`).
  case requantize(RequantizeParameters)
  /// DEQUANTIZE to float.
  case dequantize(scale: Float, zeroPoint: Int32)
  /// A layer kept in float, run by the float kernels (its fused activation applied afterwards), with any
  /// float constants made for it (a BatchNormalization's per-channel scale and shift).
  case float(Node, OutputActivation, constants: [String: [Float]])
}

/// The element types an activation buffer of the integer executor can hold.
enum IntegerBufferType: Int, CaseIterable {
  case int8, int16, float32

  /// The buffer type of a graph element type, nil for types no activation may have.
  init?(_ type: QuantizedElementType) {
    switch type {
    case .int8: self = .int8
    case .int16: self = .int16
    case .float32: self = .float32
    case .int4, .int32, .int64: return nil
    }
  }
}

/// Builds the kernel of each node: validation and TFLite Micro's `Prepare` computations.
struct IntegerNodePreparer {
  /// The graph.
  let graph: QuantizedGraph
  /// The runtime whose arithmetic the kernels reproduce.
  let arithmetic: IntegerArithmetic
  /// Its rounding for every kernel without an exception.
  var rounding: RoundingMode { arithmetic.rounding }

  /// An error naming `node`.
  static func error(
    _ node: QuantizedNode, _ detail: String, _ code: EngineError.Kind = .unsupportedOp
  ) -> EngineError {
    EngineError(code, "integer executor: node '\(node.name)' (\(node.op.tfliteName)): \(detail)")
  }

  /// The tensor named `name`, or an error naming the node.
  func tensor(_ name: String, _ node: QuantizedNode) throws(EngineError) -> QuantizedTensor {
    guard let tensor = graph.tensors[name] else {
      throw Self.error(node, "operand '\(name)' is not a tensor of the graph", .invalidModel)
    }
    return tensor
  }

  /// The per-tensor scale and zero point of an integer tensor.
  func parameters(_ tensor: QuantizedTensor, _ node: QuantizedNode) throws(EngineError) -> (Float, Int32) {
    guard let q = tensor.quantization, q.scales.count == 1, q.zeroPoints.count == 1, !q.isPerChannel else {
      throw Self.error(
        node, "tensor '\(tensor.name)' needs per-tensor quantization parameters", .invalidModel)
    }
    guard q.scale > 0, q.scale.isFinite else {
      throw Self.error(node, "tensor '\(tensor.name)' has scale \(q.scale)", .invalidModel)
    }
    guard let zero = Int32(exactly: q.zeroPoint) else {
      throw Self.error(node, "tensor '\(tensor.name)' has zero point \(q.zeroPoint)", .invalidModel)
    }
    return (q.scale, zero)
  }

  /// TFLite's `CalculateActivationRangeQuantized` for an output activation, including clamp bounds TFLite has
  /// no enum value for (computed the same way: `zeroPoint + round(v / scale)` in float, intersected with the
  /// type's range).
  static func range(
    _ activation: OutputActivation, scale: Float, zeroPoint: Int32, bits: Int
  ) throws(EngineError) -> ActivationRange {
    switch activation {
    case .none: return try ActivationRange(.none, scale: scale, zeroPoint: zeroPoint, bits: bits)
    case .relu: return try ActivationRange(.relu, scale: scale, zeroPoint: zeroPoint, bits: bits)
    case .relu6: return try ActivationRange(.relu6, scale: scale, zeroPoint: zeroPoint, bits: bits)
    case .reluN1To1: return try ActivationRange(.reluN1To1, scale: scale, zeroPoint: zeroPoint, bits: bits)
    case .clamp(let low, let high):
      let full = bits == 16 ? ActivationRange.int16 : ActivationRange.int8
      func quantize(_ value: Float) -> Int64 {
        let rounded = (value / scale).rounded(.toNearestOrAwayFromZero)
        if rounded.isNaN { return Int64(zeroPoint) }
        let bounded = max(min(rounded, Float(1 << 40)), -Float(1 << 40))
        return Int64(zeroPoint) + Int64(bounded)
      }
      let lowCode = low.isFinite ? quantize(low) : Int64(full.min)
      let highCode = high.isFinite ? quantize(high) : Int64(full.max)
      return ActivationRange(
        min: Int32(clamping: max(Int64(full.min), lowCode)),
        max: Int32(clamping: min(Int64(full.max), highCode)))
    }
  }

  /// The kernel of `node`. Throws `unsupportedOp` or `invalidModel` naming the node for anything the
  /// integer kernels cannot run.
  func kernel(_ node: QuantizedNode) throws(EngineError) -> IntegerNodeKernel {
    guard node.outputs.count == 1, let outputName = node.outputs.first, let first = node.inputs.first else {
      throw Self.error(node, "expected one output and at least one input", .invalidModel)
    }
    let output = try tensor(outputName, node)
    let input = try tensor(first, node)
    guard let outputType = IntegerBufferType(output.elementType) else {
      throw Self.error(node, "output '\(outputName)' is \(output.elementType), not an activation type")
    }
    for name in node.inputs {
      let operand = try tensor(name, node)
      if !operand.isConstant && IntegerBufferType(operand.elementType) == nil {
        throw Self.error(node, "input '\(name)' is \(operand.elementType), not an activation type")
      }
    }
    if case .dequantize = node.op {
      guard input.elementType != .float32, outputType == .float32 else {
        throw Self.error(node, "DEQUANTIZE must read an integer tensor and write float32", .invalidModel)
      }
      let (scale, zero) = try parameters(input, node)
      return .dequantize(scale: scale, zeroPoint: zero)
    }
    if case .quantize = node.op {
      guard outputType != .float32 else {
        throw Self.error(node, "QUANTIZE must write an integer tensor", .invalidModel)
      }
      let (outScale, outZero) = try parameters(output, node)
      if input.elementType == .float32 { return .quantize(scale: outScale, zeroPoint: outZero) }
      let (inScale, inZero) = try parameters(input, node)
      return .requantize(
        try RequantizeParameters(
          inputScale: inScale, inputZeroPoint: inZero, outputScale: outScale, outputZeroPoint: outZero,
          rounding: rounding))
    }
    if outputType == .float32 { return try floatKernel(node) }
    for name in node.inputs {
      let operand = try tensor(name, node)
      if operand.isConstant && node.op.hasWeights { continue }
      guard operand.elementType == output.elementType else {
        throw Self.error(
          node, "input '\(name)' is \(operand.elementType) but the output is \(output.elementType)",
          .invalidModel)
      }
    }
    return try integerKernel(node, input: input, output: output)
  }

  /// A layer kept in float: the equivalent float node for `StepBuilder`.
  func floatKernel(_ node: QuantizedNode) throws(EngineError) -> IntegerNodeKernel {
    for name in node.inputs where try tensor(name, node).elementType != .float32 {
      throw Self.error(node, "a float layer reads the integer tensor '\(name)'", .invalidModel)
    }
    switch node.op {
    case .reshape: return .copy
    case .pad(let pads): return .pad(pads: pads, zeroPoint: 0)
    case .float(var original):
      // The quantizer renames the node's inputs (`x#dequantized`) but not the embedded float node's.
      original.inputs = node.inputs
      original.outputs = node.outputs
      if case .batchNormalization(let epsilon) = original.op {
        return try batchNormalization(original, epsilon)
      }
      return .float(original, .none, constants: [:])
    default: break
    }
    let inputShape = node.inputs.first.flatMap { graph.tensors[$0]?.shape }
    let weightShape = node.inputs.count > 1 ? graph.tensors[node.inputs[1]]?.shape : nil
    guard let op = try node.floatOp(inputShape: inputShape, weightShape: weightShape) else {
      throw Self.error(node, "unexpected conversion", .invalidModel)
    }
    return .float(
      Node(name: node.name, op: op, inputs: node.inputs, outputs: node.outputs), node.op.activation,
      constants: [:])
  }

  /// A float BatchNormalization as the float kernels run it: a per-channel affine `x · scale + shift` with
  /// `scale = gamma / sqrt(var + epsilon)` and `shift = beta - mean · scale` (as the simulation computes it).
  func batchNormalization(_ original: Node, _ epsilon: Float) throws(EngineError) -> IntegerNodeKernel {
    let node = QuantizedNode(
      name: original.name, op: .float(original), inputs: original.inputs, outputs: original.outputs)
    var parameters: [[Float]] = []
    for name in original.inputs.dropFirst() {
      guard let values = graph.tensors[name]?.dequantizedValues() else {
        throw Self.error(node, "BatchNormalization parameter '\(name)' is not a constant", .invalidModel)
      }
      parameters.append(values)
    }
    guard parameters.count == 4, let channels = parameters.first?.count,
      parameters.allSatisfy({ $0.count == channels })
    else {
      throw Self.error(node, "BatchNormalization needs four constant vectors of one length", .invalidModel)
    }
    var scale = [Float](repeating: 0, count: channels)
    var shift = [Float](repeating: 0, count: channels)
    for c in 0..<channels {
      scale[c] = parameters[0][c] / (parameters[3][c] + epsilon).squareRoot()
      shift[c] = parameters[1][c] - parameters[2][c] * scale[c]
    }
    let scaleName = "\(original.name)#integer_executor_scale"
    let shiftName = "\(original.name)#integer_executor_shift"
    var rewritten = original
    rewritten.inputs = [original.inputs[0], scaleName, shiftName]
    return .float(rewritten, .none, constants: [scaleName: scale, shiftName: shift])
  }

  /// A quantized op on integer activations.
  func integerKernel(
    _ node: QuantizedNode, input: QuantizedTensor, output: QuantizedTensor
  ) throws(EngineError) -> IntegerNodeKernel {
    let wide = output.elementType == .int16
    let bits = wide ? 16 : 8
    let (inScale, inZero) = try parameters(input, node)
    let (outScale, outZero) = try parameters(output, node)
    let range = try Self.range(node.op.activation, scale: outScale, zeroPoint: outZero, bits: bits)
    /// An error for ops without an int16 kernel.
    func narrowOnly() throws(EngineError) {
      if wide { throw Self.error(node, "no int16x8 kernel for \(node.op.tfliteName); skip the layer") }
    }
    switch node.op {
    case .conv2D, .depthwiseConv2D, .fullyConnected:
      let q = try weightedQuantization(node, input: input, output: output, range: range)
      switch node.op {
      case .fullyConnected: return wide ? .fullyConnected16x8(q) : .fullyConnected(q)
      case .depthwiseConv2D: return wide ? .conv16x8(q, depthwise: true) : .conv(q, depthwise: true)
      default: return wide ? .conv16x8(q, depthwise: false) : .conv(q, depthwise: false)
      }
    case .add, .sub, .mul:
      guard node.inputs.count == 2 else { throw Self.error(node, "expected two inputs", .invalidModel) }
      let (scale2, zero2) = try parameters(try tensor(node.inputs[1], node), node)
      if case .mul = node.op {
        if wide && (inZero != 0 || zero2 != 0 || outZero != 0) {
          throw Self.error(node, "int16 MUL needs zero points 0", .invalidModel)
        }
        return .mul(
          try MulParameters(
            input1Scale: inScale, input1ZeroPoint: inZero, input2Scale: scale2, input2ZeroPoint: zero2,
            outputScale: outScale, outputZeroPoint: outZero, range: range, rounding: rounding,
            scalesInFloat: arithmetic.mulScalesInFloat))
      }
      var subtract = false
      if case .sub = node.op { subtract = true }
      do {
        return .add(
          try AddParameters(
            input1Scale: inScale, input1ZeroPoint: inZero, input2Scale: scale2, input2ZeroPoint: zero2,
            outputScale: outScale, outputZeroPoint: outZero, range: range, subtract: subtract,
            bits: bits, rounding: rounding))
      } catch {
        throw Self.error(node, error.message, .invalidModel)
      }
    case .averagePool2D(let o), .maxPool2D(let o):
      guard inScale == outScale, inZero == outZero else {
        throw Self.error(node, "input and output must share quantization parameters", .invalidModel)
      }
      if case .maxPool2D = node.op { return .maxPool(o, range) }
      return .averagePool(o, range)
    case .mean(let axes, _):
      let sorted = Array(Set(axes)).sorted()
      guard let low = sorted.first, let high = sorted.last, high - low + 1 == sorted.count, low >= 1,
        high < input.shape.count
      else { throw Self.error(node, "MEAN over axes \(axes) is not a run of adjacent non-batch axes") }
      return .mean(
        try MeanParameters(
          inputScale: inScale, inputZeroPoint: inZero, outputScale: outScale, outputZeroPoint: outZero,
          rounding: rounding), first: low, count: sorted.count)
    case .softmax(let beta):
      if wide {
        guard inZero == 0, outZero == 0, abs(outScale - 1 / 32768) <= 0.001 / 32768 else {
          throw Self.error(
            node, "int16 SOFTMAX needs zero points 0 and output scale 1/32768 (got \(outScale), \(outZero))",
            .invalidModel)
        }
        do {
          return .softmax16(try Softmax16Parameters(inputScale: inScale, beta: beta, rounding: rounding))
        } catch {
          throw Self.error(node, error.message, .invalidModel)
        }
      }
      try requireProbabilityOutput(node, scale: outScale, zeroPoint: outZero)
      do {
        return .softmax(try SoftmaxParameters(inputScale: inScale, beta: beta, rounding: rounding))
      } catch {
        throw Self.error(node, error.message, .invalidModel)
      }
    case .logistic:
      if wide {
        guard inZero == 0, outZero == 0, abs(outScale - 1 / 32768) <= 0.001 / 32768 else {
          throw Self.error(
            node,
            "int16 LOGISTIC needs zero points 0 and output scale 1/32768 (got \(outScale), \(outZero))",
            .invalidModel)
        }
        do {
          return .logistic16(try Logistic16Parameters(inputScale: inScale))
        } catch {
          throw Self.error(node, error.message, .invalidModel)
        }
      }
      try requireProbabilityOutput(node, scale: outScale, zeroPoint: outZero)
      return .logistic(
        try LogisticParameters(inputScale: inScale, inputZeroPoint: inZero, rounding: rounding))
    case .hardSwish:
      try narrowOnly()
      do {
        return .hardSwish(
          try HardSwishParameters(
            inputScale: inScale, inputZeroPoint: inZero, outputScale: outScale, outputZeroPoint: outZero,
            rounding: rounding))
      } catch {
        throw Self.error(node, error.message, .invalidModel)
      }
    case .reshape:
      guard input.count == output.count else {
        throw Self.error(node, "RESHAPE changes the element count", .invalidModel)
      }
      return .copy
    case .concatenation(let axis, _):
      for name in node.inputs {
        let operand = try tensor(name, node)
        guard operand.elementType == output.elementType, operand.quantization == output.quantization else {
          throw Self.error(
            node, "input '\(name)' does not share the output's quantization parameters", .invalidModel)
        }
      }
      guard axis >= 1, axis < output.shape.count else {
        throw Self.error(node, "CONCATENATION along axis \(axis)", .invalidModel)
      }
      return .concatenation(axis: axis, range)
    case .pad(let pads):
      guard pads.count == 2 * input.shape.count, pads.allSatisfy({ $0 >= 0 }) else {
        throw Self.error(node, "PAD amounts \(pads) do not fit rank \(input.shape.count)", .invalidModel)
      }
      return .pad(pads: pads, zeroPoint: outZero)
    case .float:
      throw Self.error(node, "a float node writes an integer tensor", .invalidModel)
    case .quantize, .dequantize:
      throw Self.error(node, "unexpected conversion", .invalidModel)
    }
  }

  /// Checks the fixed output parameters of LOGISTIC and SOFTMAX (1/256, -128), which the kernels assume.
  func requireProbabilityOutput(_ node: QuantizedNode, scale: Float, zeroPoint: Int32) throws(EngineError) {
    guard scale == 1 / 256, zeroPoint == -128 else {
      throw Self.error(
        node, "output parameters must be scale 1/256, zero point -128 (got \(scale), \(zeroPoint))",
        .invalidModel)
    }
  }

  /// The requantization of a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED (TFLite's
  /// `PopulateConvolutionQuantizationParams`; a per-tensor FULLY_CONNECTED uses its own float product).
  func weightedQuantization(
    _ node: QuantizedNode, input: QuantizedTensor, output: QuantizedTensor, range: ActivationRange
  ) throws(EngineError) -> ConvolutionQuantization {
    guard node.inputs.count == 3 else {
      throw Self.error(node, "expected input, filter and bias", .invalidModel)
    }
    let filter = try tensor(node.inputs[1], node)
    let bias = try tensor(node.inputs[2], node)
    let wide = output.elementType == .int16
    guard filter.isConstant, filter.elementType == .int8 || (filter.elementType == .int4 && !wide) else {
      throw Self.error(node, "filter '\(filter.name)' must be a constant int8 (or int4) tensor")
    }
    guard bias.isConstant, bias.elementType == (wide ? .int64 : .int32), bias.count == filter.shape.first
    else {
      throw Self.error(
        node,
        "bias '\(bias.name)' must be a constant \(wide ? "int64" : "int32") vector, one per output channel")
    }
    guard let q = filter.quantization, q.zeroPoints.allSatisfy({ $0 == 0 }),
      q.axis == nil || q.axis == 0, let channels = filter.shape.first,
      q.scales.count == 1 || q.scales.count == channels
    else {
      throw Self.error(
        node, "filter '\(filter.name)' must be symmetric, per tensor or per output channel (axis 0)",
        .invalidModel)
    }
    let (inScale, inZero) = try parameters(input, node)
    let (outScale, outZero) = try parameters(output, node)
    if wide && (inZero != 0 || outZero != 0) {
      throw Self.error(node, "int16 activations must have zero point 0", .invalidModel)
    }
    var rounding = rounding
    if case .fullyConnected = node.op, q.scales.count > 1 {
      rounding = arithmetic.perChannelFullyConnectedRounding
    }
    let multipliers: [QuantizedMultiplier]
    if case .fullyConnected = node.op, q.scales.count == 1 {
      multipliers = [
        try ConvolutionQuantization.fullyConnectedMultiplier(
          inputScale: inScale, weightScale: q.scales[0], outputScale: outScale, rounding: rounding)
      ]
    } else {
      multipliers = try ConvolutionQuantization.channelMultipliers(
        inputScale: inScale, weightScales: q.scales, outputScale: outScale, channels: channels,
        rounding: rounding)
    }
    return ConvolutionQuantization(
      inputZeroPoint: inZero, outputZeroPoint: outZero, multipliers: multipliers, range: range,
      rounding: rounding)
  }
}
