/// Lowering of activations and broadcasting arithmetic.
extension LoweringBuilder {
  /// A one-input op that maps onto one TFLite builtin (HARD_SWISH, LOGISTIC).
  mutating func lowerUnary(_ node: Node, _ op: QuantizedOp) throws(EngineError) {
    emit(
      op, name: node.name, inputs: [try activation(node.inputs[0])], output: try activation(node.outputs[0]),
      sources: [node])
  }

  /// A Relu or Clip whose producer could not absorb it: ADD of a zero with the activation fused.
  ///
  /// The TFLite op set JumpStation exports has no standalone RELU; `x + 0` with a fused activation computes
  /// the same thing in float and, quantized, is one requantizing ADD.
  mutating func lowerStandaloneActivation(_ node: Node) throws(EngineError) {
    let fused: OutputActivation
    switch node.op {
    case .relu: fused = .relu
    case .clip(let low, let high): fused = OutputActivation(low: low ?? -.infinity, high: high ?? .infinity)
    default: throw cannotQuantize(node, "not an activation")
    }
    let x = try shape(node.inputs[0])
    let zero = constant("\(node.name)#zero", shape: Array(repeating: 1, count: x.count), values: [0])
    emit(
      .add(activation: fused), name: node.name, inputs: [try activation(node.inputs[0]), zero],
      output: try activation(node.outputs[0]), sources: [node])
  }

  /// HardSigmoid `clamp(alpha x + beta, 0, 1)` as `relu6(6 alpha x + 6 beta) / 6`: MUL by `6 alpha` (left out
  /// when it is 1, as for MobileNetV3's alpha = 1/6), ADD `6 beta` with RELU6 fused, MUL by 1/6.
  ///
  /// This is how Keras MobileNetV3 models reach TFLite, and every step is an op with free output
  /// parameters, so nothing stays in float.
  mutating func lowerHardSigmoid(_ node: Node, alpha: Float, beta: Float) throws(EngineError) {
    let x = try shape(node.inputs[0])
    let ones = Array(repeating: 1, count: x.count)
    var current = try activation(node.inputs[0])
    let sixAlpha = 6 * alpha
    if abs(sixAlpha - 1) > 1e-6 {
      let factor = constant("\(node.name)#six_alpha", shape: ones, values: [sixAlpha])
      let scaled = derivedActivation("\(node.outputs[0])#scaled", shape: x)
      emit(
        .mul(activation: .none), name: "\(node.name)#scale", inputs: [current, factor], output: scaled,
        sources: [node])
      current = scaled
    }
    let offset = constant("\(node.name)#six_beta", shape: ones, values: [6 * beta])
    let clamped = derivedActivation("\(node.outputs[0])#relu6", shape: x)
    emit(
      .add(activation: .relu6), name: "\(node.name)#relu6", inputs: [current, offset], output: clamped,
      sources: [node])
    let sixth = constant("\(node.name)#sixth", shape: ones, values: [1.0 / 6.0])
    emit(
      .mul(activation: .none), name: node.name, inputs: [clamped, sixth],
      output: try activation(node.outputs[0]),
      sources: [node])
  }

  /// A constant operand reshaped to the activation's rank (leading 1s), so it broadcasts the same way in
  /// NCHW here and in NHWC after the exporter permutes it. Throws when it would broadcast over the batch.
  mutating func broadcastConstant(
    _ node: Node, _ value: String, values: [Float], rank: Int, base: String
  ) throws(EngineError) -> String {
    guard let original = graph.initializers[value]?.shape, original.count <= rank else {
      throw cannotQuantize(node, "its constant operand '\(value)' has more axes than the other operand")
    }
    let padded = Array(repeating: 1, count: rank - original.count) + original
    if rank > 0 && padded[0] != 1 {
      throw cannotQuantize(node, "its constant operand '\(value)' varies along the batch axis")
    }
    if padded == original { return try operand(value) }
    return constant(base, shape: padded, values: values)
  }

  /// Add, Sub and Mul of two activations or of an activation and a constant, with a following Relu or Clip
  /// fused.
  mutating func lowerBinary(_ node: Node) throws(EngineError) {
    guard node.inputs.count == 2 else { throw cannotQuantize(node, "expected two operands") }
    let constants = node.inputs.map { floatConstant($0) }
    if constants[0] != nil && constants[1] != nil {
      throw cannotQuantize(node, "both operands are constants (nothing to compute at run time)")
    }
    for (i, input) in node.inputs.enumerated() where graph.initializers[input] != nil && constants[i] == nil {
      throw cannotQuantize(node, "its constant operand '\(input)' is not float32")
    }
    let rank = try shape(node.outputs[0]).count
    var inputs: [String] = []
    for (i, input) in node.inputs.enumerated() {
      if let values = constants[i] {
        inputs.append(
          try broadcastConstant(node, input, values: values, rank: rank, base: "\(node.name)#operand"))
      } else {
        inputs.append(try activation(input))
      }
    }
    let (fused, output, absorbed) = fuseActivation(after: node.outputs[0])
    let op: QuantizedOp
    switch node.op {
    case .add: op = .add(activation: fused)
    case .sub: op = .sub(activation: fused)
    default: op = .mul(activation: fused)
    }
    emit(
      op, name: node.name, inputs: inputs, output: try activation(output),
      sources: [node] + (absorbed.map { [$0] } ?? []))
  }

  /// Div by a constant as MUL by its reciprocal.
  mutating func lowerDiv(_ node: Node) throws(EngineError) {
    guard node.inputs.count == 2, floatConstant(node.inputs[0]) == nil,
      let divisor = floatConstant(node.inputs[1])
    else { throw cannotQuantize(node, "only division by a constant lowers (to MUL by its reciprocal)") }
    guard !divisor.contains(0) else { throw cannotQuantize(node, "its constant divisor contains zeros") }
    let rank = try shape(node.outputs[0]).count
    guard let divisorShape = graph.initializers[node.inputs[1]]?.shape, divisorShape.count <= rank else {
      throw cannotQuantize(node, "its divisor has more axes than the dividend")
    }
    let padded = Array(repeating: 1, count: rank - divisorShape.count) + divisorShape
    if rank > 0 && padded[0] != 1 { throw cannotQuantize(node, "its divisor varies along the batch axis") }
    let reciprocal = constant("\(node.name)#reciprocal", shape: padded, values: divisor.map { 1 / $0 })
    let (fused, output, absorbed) = fuseActivation(after: node.outputs[0])
    emit(
      .mul(activation: fused), name: node.name, inputs: [try activation(node.inputs[0]), reciprocal],
      output: try activation(output), sources: [node] + (absorbed.map { [$0] } ?? []))
  }
}
