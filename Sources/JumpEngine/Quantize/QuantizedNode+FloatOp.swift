/// The float op behind a device op, shared by the executors that run device ops in float (the
/// simulation for every node, the integer executor for layers kept in float).
extension QuantizedNode {
  /// The float graph op that computes what this node computes before its fused activation, or nil
  /// for nodes that have no single float op (PAD, QUANTIZE, DEQUANTIZE, float islands).
  ///
  /// - Parameters:
  ///   - inputShape: the shape of the first input (needed for convolutions' groups).
  ///   - weightShape: the shape of the second input (a convolution's OIHW filter).
  public func floatOp(inputShape: [Int]?, weightShape: [Int]?) throws(EngineError) -> Op? {
    switch op {
    case .conv2D(let options), .depthwiseConv2D(let options):
      guard inputs.count == 3, let w = weightShape, w.count == 4, let x = inputShape, x.count == 4 else {
        throw EngineError(
          .invalidModel, "node '\(name)' (\(op.tfliteName)): convolution operands must be 4-D")
      }
      var group = 1
      if case .depthwiseConv2D = op { group = x[1] }
      return .conv(
        ConvAttributes(
          kernel: [w[2], w[3]], strides: options.strides, pads: options.pads, dilations: options.dilations,
          group: group))
    case .fullyConnected: return .gemm(GemmAttributes(transB: true))
    case .add: return .add
    case .sub: return .sub
    case .mul: return .mul
    case .averagePool2D(let o):
      return .averagePool(PoolAttributes(kernel: o.kernel, strides: o.strides, pads: o.pads))
    case .maxPool2D(let o):
      return .maxPool(PoolAttributes(kernel: o.kernel, strides: o.strides, pads: o.pads))
    case .mean(let axes, let keepDims): return .reduceMean(axes: axes, keepDims: keepDims)
    case .reshape(let shape): return .reshape(shape: shape, allowZero: true)
    case .softmax(let beta):
      guard beta == 1 else {
        throw EngineError(.unsupportedOp, "node '\(name)' (SOFTMAX): beta \(beta) is not supported in float")
      }
      return .softmax(axis: 1)
    case .logistic: return .sigmoid
    case .hardSwish: return .hardSwish
    case .concatenation(let axis, _): return .concat(axis: axis)
    case .pad, .quantize, .dequantize, .float: return nil
    }
  }
}
