/// HARD_SWISH in int16x8.
extension QuantizerPass {
  /// HARD_SWISH with int16 activations, which neither TFLite nor TFLite Micro has a kernel for: written as
  /// `x * (relu6(x + 3) / 6)`, an ADD of 3 with RELU6 fused, a MUL by 1/6 and a MUL by `x`, three int16 ops
  /// TFLite Micro runs (the same steps HardSigmoid lowers to), so nothing stays in float.
  ///
  /// The two intermediate tensors get symmetric parameters from the range `relu6(x + 3)` can take given
  /// `x`'s range; the output keeps the parameters HARD_SWISH's own range gives.
  mutating func quantizeHardSwish16(_ node: QuantizedNode, input: String) throws(EngineError) {
    let output = node.outputs[0]
    let shape = try source.tensor(output).shape
    let ones = Array(repeating: 1, count: shape.count)
    guard let xScale = tensors[input]?.quantization?.scale else {
      throw EngineError(.invalidModel, "node '\(node.name)': input '\(input)' is not quantized")
    }
    let xHigh = ranges[node.inputs[0]]?.upperBound ?? xScale * 32767
    let reluHigh = min(6, max(0, xHigh + 3))
    let three = int16Constant("\(node.name)#three", shape: ones, value: 3)
    let clamped = add(
      QuantizedTensor(
        name: "\(output)#relu6", shape: shape, elementType: .int16,
        quantization: try parameters(forRange: 0...reluHigh)))
    emit(
      QuantizedNode(
        name: "\(node.name)#relu6", op: .add(activation: .relu6), inputs: [input, three], outputs: [clamped],
        sources: node.sources, sourceOps: node.sourceOps))
    let sixth = int16Constant("\(node.name)#sixth", shape: ones, value: 1.0 / 6.0)
    let gate = add(
      QuantizedTensor(
        name: "\(output)#hard_sigmoid", shape: shape, elementType: .int16,
        quantization: try parameters(forRange: 0...(reluHigh / 6))))
    emit(
      QuantizedNode(
        name: "\(node.name)#hard_sigmoid", op: .mul(activation: .none), inputs: [clamped, sixth],
        outputs: [gate], sources: node.sources, sourceOps: node.sourceOps))
    try setFreeOutput(node, output)
    emit(
      QuantizedNode(
        name: node.name, op: .mul(activation: .none), inputs: [input, gate], outputs: [output],
        sources: node.sources, sourceOps: node.sourceOps))
  }

  /// A one-element int16 constant holding `value` (code 32767, scale `value / 32767`).
  mutating func int16Constant(_ name: String, shape: [Int], value: Float) -> String {
    let scale = value / 32767
    let code = QuantizationRules.quantize(value, scale: scale, zeroPoint: 0, range: -32768...32767)
    return add(
      QuantizedTensor(
        name: name, shape: shape, elementType: .int16,
        quantization: QuantizationParameters(scale: scale, zeroPoint: 0), data: .int16([Int16(code)])))
  }
}
