/// Lowering of the layers with weights: Conv, Gemm, MatMul, and BatchNormalization (folded or standalone).
extension LoweringBuilder {
  /// Inference BatchNormalization as `y = x * scale + shift` per channel; nil when a parameter is not a
  /// float constant of the same length.
  func batchNormAffine(_ bn: Node, epsilon: Float) -> (scale: [Float], shift: [Float])? {
    guard bn.inputs.count == 5, let gamma = floatConstant(bn.inputs[1]),
      let beta = floatConstant(bn.inputs[2]),
      let mean = floatConstant(bn.inputs[3]), let variance = floatConstant(bn.inputs[4]),
      beta.count == gamma.count, mean.count == gamma.count, variance.count == gamma.count
    else { return nil }
    var scale = gamma
    var shift = beta
    for c in gamma.indices {
      scale[c] = gamma[c] / (variance[c] + epsilon).squareRoot()
      shift[c] = beta[c] - mean[c] * scale[c]
    }
    return (scale, shift)
  }

  /// Folds a BatchNormalization that alone reads `value` into per-output-channel weights and bias.
  ///
  /// `(W x + b) * s + t = (s W) x + (s b + t)`: row `c` of the weights (all `count / channels` elements of
  /// output channel `c`) is scaled by `s[c]`. Returns the absorbed node, or nil when there is none.
  mutating func foldBatchNorm(
    after value: String, weights: inout [Float], bias: inout [Float]
  ) -> Node? {
    let channels = bias.count
    guard let index = soleReader(of: value), case .batchNormalization(let epsilon) = graph.nodes[index].op,
      let affine = batchNormAffine(graph.nodes[index], epsilon: epsilon), affine.scale.count == channels,
      channels > 0
    else { return nil }
    let perChannel = weights.count / channels
    for c in 0..<channels {
      for i in (c * perChannel)..<((c + 1) * perChannel) { weights[i] *= affine.scale[c] }
      bias[c] = bias[c] * affine.scale[c] + affine.shift[c]
    }
    absorbed.insert(index)
    return graph.nodes[index]
  }

  /// Emits a weighted layer after folding a following BatchNormalization and fusing an activation.
  private mutating func emitWeighted(
    _ node: Node, weights original: [Float], weightShape: [Int], bias originalBias: [Float],
    weightsChanged: Bool, biasChanged: Bool, op: (OutputActivation) -> QuantizedOp
  ) throws(EngineError) {
    var weights = original
    var bias = originalBias
    var sources = [node]
    var output = node.outputs[0]
    var folded = false
    if let bn = foldBatchNorm(after: output, weights: &weights, bias: &bias) {
      sources.append(bn)
      output = bn.outputs[0]
      folded = true
    }
    let (fusedActivation, fusedOutput, fused) = fuseActivation(after: output)
    if let fused { sources.append(fused) }
    let x = try activation(node.inputs[0])
    let w: String
    if !folded && !weightsChanged, node.inputs.count > 1 {
      w = try operand(node.inputs[1])
    } else {
      w = constant("\(node.name)#weight", shape: weightShape, values: weights)
    }
    let b: String
    if !folded && !biasChanged, node.inputs.count > 2 {
      b = try operand(node.inputs[2])
    } else {
      b = constant("\(node.name)#bias", shape: [bias.count], values: bias)
    }
    emit(
      op(fusedActivation), name: node.name, inputs: [x, w, b], output: try activation(fusedOutput),
      sources: sources)
  }

  /// Conv as CONV_2D, or DEPTHWISE_CONV_2D when `group == C_in > 1` and `C_out` is a multiple of it.
  mutating func lowerConv(_ node: Node, _ a: ConvAttributes) throws(EngineError) {
    guard a.kernel.count == 2 else {
      throw cannotQuantize(node, "only 2-D convolutions lower to CONV_2D, this one is \(a.kernel.count)-D")
    }
    guard node.inputs.count >= 2, let weights = floatConstant(node.inputs[1]),
      let weightShape = graph.initializers[node.inputs[1]]?.shape, weightShape.count == 4
    else { throw cannotQuantize(node, "its weights are not a float constant") }
    let x = try shape(node.inputs[0])
    let inChannels = x[1]
    let outChannels = weightShape[0]
    var bias = [Float](repeating: 0, count: outChannels)
    var hasBias = false
    if node.inputs.count > 2 {
      guard let b = floatConstant(node.inputs[2]), b.count == outChannels else {
        throw cannotQuantize(node, "its bias is not a float constant of \(outChannels) values")
      }
      bias = b
      hasBias = true
    }
    let depthwise: Bool
    if a.group == 1 {
      depthwise = false
    } else if a.group == inChannels, inChannels > 1, outChannels % inChannels == 0 {
      depthwise = true
    } else {
      throw cannotQuantize(
        node, "grouped convolution (group \(a.group) over \(inChannels) channels) has no TFLite builtin")
    }
    try emitWeighted(
      node, weights: weights, weightShape: weightShape, bias: bias, weightsChanged: false,
      biasChanged: !hasBias
    ) { activation in
      let options = Conv2DOptions(
        pads: a.pads, strides: a.strides, dilations: a.dilations,
        depthMultiplier: depthwise ? outChannels / inChannels : 1, activation: activation)
      return depthwise ? .depthwiseConv2D(options) : .conv2D(options)
    }
  }

  /// Gemm as FULLY_CONNECTED: weights `[out, in]` (transposed unless `transB`), alpha and beta folded in.
  mutating func lowerGemm(_ node: Node, _ a: GemmAttributes) throws(EngineError) {
    guard !a.transA else {
      throw cannotQuantize(node, "transA=1 has no FULLY_CONNECTED form (it reads the input by rows)")
    }
    let x = try shape(node.inputs[0])
    guard x.count == 2 else { throw cannotQuantize(node, "FULLY_CONNECTED needs a rank-2 input, got \(x)") }
    guard node.inputs.count >= 2, let b = floatConstant(node.inputs[1]),
      let bShape = graph.initializers[node.inputs[1]]?.shape, bShape.count == 2
    else { throw cannotQuantize(node, "its B operand is not a constant float matrix") }
    var weights = a.transB ? b : Self.transposed(b, rows: bShape[0], columns: bShape[1])
    let outputs = a.transB ? bShape[0] : bShape[1]
    if a.alpha != 1 { weights = weights.map { $0 * a.alpha } }
    var bias = [Float](repeating: 0, count: outputs)
    var biasChanged = true
    if node.inputs.count > 2 {
      guard let c = floatConstant(node.inputs[2]), let cShape = graph.initializers[node.inputs[2]]?.shape
      else {
        throw cannotQuantize(node, "its C operand is not a float constant")
      }
      if c.count == 1 {
        bias = Array(repeating: c[0], count: outputs)
      } else if c.count == outputs, cShape.last == outputs {
        bias = c
        biasChanged = cShape.count != 1
      } else {
        throw cannotQuantize(node, "its C operand of shape \(cShape) is not one value per output")
      }
      if a.beta != 1 {
        bias = bias.map { $0 * a.beta }
        biasChanged = true
      }
    }
    try emitWeighted(
      node, weights: weights, weightShape: [outputs, weights.count / max(outputs, 1)], bias: bias,
      weightsChanged: !a.transB || a.alpha != 1, biasChanged: biasChanged
    ) { .fullyConnected(activation: $0) }
  }

  /// MatMul by a constant matrix `[in, out]` as FULLY_CONNECTED with weights `[out, in]` and a zero bias.
  mutating func lowerMatMul(_ node: Node) throws(EngineError) {
    let x = try shape(node.inputs[0])
    guard x.count == 2 else { throw cannotQuantize(node, "FULLY_CONNECTED needs a rank-2 input, got \(x)") }
    guard node.inputs.count == 2, let b = floatConstant(node.inputs[1]),
      let bShape = graph.initializers[node.inputs[1]]?.shape, bShape.count == 2
    else {
      throw cannotQuantize(node, "only MatMul by a constant 2-D matrix lowers (to FULLY_CONNECTED)")
    }
    let weights = Self.transposed(b, rows: bShape[0], columns: bShape[1])
    try emitWeighted(
      node, weights: weights, weightShape: [bShape[1], bShape[0]],
      bias: [Float](repeating: 0, count: bShape[1]), weightsChanged: true, biasChanged: true
    ) { .fullyConnected(activation: $0) }
  }

  /// A BatchNormalization with no layer to fold into: MUL by the per-channel scale, then ADD the shift.
  mutating func lowerBatchNorm(_ node: Node, epsilon: Float) throws(EngineError) {
    guard let affine = batchNormAffine(node, epsilon: epsilon) else {
      throw cannotQuantize(node, "its scale, bias, mean and variance are not float constants")
    }
    let x = try shape(node.inputs[0])
    guard x.count >= 2, x[1] == affine.scale.count else {
      throw cannotQuantize(node, "its input \(x) has no channel axis of \(affine.scale.count)")
    }
    let parameterShape = [1, x[1]] + Array(repeating: 1, count: x.count - 2)
    let scale = constant("\(node.name)#scale", shape: parameterShape, values: affine.scale)
    let shift = constant("\(node.name)#shift", shape: parameterShape, values: affine.shift)
    let scaled = derivedActivation("\(node.outputs[0])#scaled", shape: x)
    emit(
      .mul(activation: .none), name: "\(node.name)#scale", inputs: [try activation(node.inputs[0]), scale],
      output: scaled, sources: [node])
    let (fusedActivation, output, fused) = fuseActivation(after: node.outputs[0])
    emit(
      .add(activation: fusedActivation), name: node.name, inputs: [scaled, shift],
      output: try activation(output),
      sources: [node] + (fused.map { [$0] } ?? []))
  }

  /// A row-major `rows x columns` matrix transposed.
  static func transposed(_ m: [Float], rows: Int, columns: Int) -> [Float] {
    var t = [Float](repeating: 0, count: m.count)
    for r in 0..<rows {
      for c in 0..<columns { t[c * rows + r] = m[r * columns + c] }
    }
    return t
  }
}
