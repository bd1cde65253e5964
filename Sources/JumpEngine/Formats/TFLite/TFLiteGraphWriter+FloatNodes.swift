/// Layers kept in float (`skip=` on a float graph node): written as the float TFLite op that computes
/// the same thing, by restating the node as the device op it would have lowered to.
extension TFLiteGraphWriter {
  /// Writes a float node carried over unchanged from the float model.
  mutating func writeFloat(_ node: QuantizedNode, _ source: Node) throws(EngineError) {
    guard let output = node.outputs.first, node.outputs.count == 1, let first = node.inputs.first else {
      throw unsupported(node, "a float layer needs one input and one output")
    }
    let x = try graph.tensor(first).shape
    let y = try graph.tensor(output).shape
    func restated(_ op: QuantizedOp, inputs: [String]? = nil) -> QuantizedNode {
      QuantizedNode(name: node.name, op: op, inputs: inputs ?? node.inputs, outputs: node.outputs)
    }
    switch source.op {
    case .relu:
      emit(.relu, inputs: [try activation(first)], outputs: [try activation(output)])
    case .clip(let low, let high):
      let op: TFLiteBuiltinOperator
      switch OutputActivation(low: low ?? -.infinity, high: high ?? .infinity) {
      case .relu: op = .relu
      case .relu6: op = .relu6
      case .reluN1To1: op = .reluN1To1
      default:
        throw unsupported(
          node, "Clip(\(String(describing: low)), \(String(describing: high))) has no float builtin")
      }
      emit(op, inputs: [try activation(first)], outputs: [try activation(output)])
    case .sigmoid: try write(restated(.logistic))
    case .hardSwish: try write(restated(.hardSwish))
    case .add: try write(restated(.add(activation: .none)))
    case .sub: try write(restated(.sub(activation: .none)))
    case .mul: try write(restated(.mul(activation: .none)))
    case .softmax(let axis):
      guard (axis < 0 ? axis + x.count : axis) == 1 else {
        throw unsupported(node, "softmax over axis \(axis) is not TFLite's channel softmax")
      }
      try write(restated(.softmax(beta: 1)))
    case .flatten, .reshape, .squeeze, .unsqueeze:
      try write(restated(.reshape(newShape: y)))
    case .globalAveragePool:
      try write(restated(.mean(axes: Array(2..<x.count), keepDims: true)))
    case .reduceMean(let axes, let keepDims):
      guard let axes else { throw unsupported(node, "a mean over every axis includes the batch") }
      let normalized = Array(Set(axes.map { $0 < 0 ? $0 + x.count : $0 })).sorted()
      try write(restated(.mean(axes: normalized, keepDims: keepDims)))
    case .concat(let axis):
      try write(restated(.concatenation(axis: axis < 0 ? axis + y.count : axis, activation: .none)))
    case .conv(let a):
      let w = try graph.tensor(node.inputs[1]).shape
      let options = Conv2DOptions(
        pads: a.pads, strides: a.strides, dilations: a.dilations,
        depthMultiplier: a.group > 1 ? w[0] / max(a.group, 1) : 1)
      let inputs = try withBias(node, outputs: w[0])
      if a.group == 1 {
        try write(restated(.conv2D(options), inputs: inputs))
      } else if a.group == x[1] {
        try write(restated(.depthwiseConv2D(options), inputs: inputs))
      } else {
        throw unsupported(node, "grouped convolution (group \(a.group)) has no TFLite builtin")
      }
    case .gemm(let a):
      let w = try graph.tensor(node.inputs[1]).shape
      let bias = node.inputs.count > 2 ? try graph.tensor(node.inputs[2]).shape : [w[0]]
      guard a.transB, !a.transA, a.alpha == 1, a.beta == 1, x.count == 2, bias == [w[0]] else {
        throw unsupported(node, "only Gemm with transB=1, alpha=beta=1 and a 1-D bias is FULLY_CONNECTED")
      }
      try write(restated(.fullyConnected(activation: .none), inputs: try withBias(node, outputs: w[0])))
    case .maxPool(let a), .averagePool(let a):
      let isMax: Bool
      if case .maxPool = source.op { isMax = true } else { isMax = false }
      guard isMax || !a.countIncludePad || a.pads.allSatisfy({ $0 == 0 }),
        a.dilations.allSatisfy({ $0 == 1 }), a.kernel.count == 2
      else { throw unsupported(node, "this pooling (padding counted or dilated) has no TFLite builtin") }
      var pads = a.pads
      for axis in 0..<2 {
        let needed = (y[2 + axis] - 1) * a.strides[axis] + a.kernel[axis] - x[2 + axis] - pads[axis]
        pads[2 + axis] = max(pads[2 + axis], needed)
      }
      let options = Pool2DOptions(kernel: a.kernel, strides: a.strides, pads: pads)
      try write(restated(isMax ? .maxPool2D(options) : .averagePool2D(options)))
    default:
      throw unsupported(
        node, "the float layer \(source.op.onnxName) has no TFLite float form; quantize it instead")
    }
  }

  /// The inputs of a float convolution or Gemm with a zero bias added when it has none.
  private mutating func withBias(_ node: QuantizedNode, outputs: Int) throws(EngineError) -> [String] {
    if node.inputs.count > 2 { return Array(node.inputs.prefix(3)) }
    let name = "\(node.name)#zero-bias"
    graph.tensors[name] = QuantizedTensor(
      name: name, shape: [outputs], data: .float32([Float](repeating: 0, count: outputs)))
    return Array(node.inputs.prefix(2)) + [name]
  }
}
