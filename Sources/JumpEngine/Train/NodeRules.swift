/// What a node's backward rule reads: the forward operands and result, and the gradient of the result.
struct BackwardContext {
  /// The node.
  let node: Node
  /// The forward input values, in the node's input order.
  let inputs: [TrainValue]
  /// The forward output value.
  let output: TrainValue
  /// The gradient of the loss with respect to the output.
  let outputGradient: TrainValue
  /// What the forward rule saved.
  let saved: SavedState?
  /// Which inputs need a gradient (rules skip the others).
  let needs: [Bool]
  /// The mode of the forward pass.
  let mode: TrainingMode
  /// Threads for the kernels.
  let threads: Int

  /// Whether input `index` needs a gradient.
  func needs(_ index: Int) -> Bool { index < needs.count && needs[index] }
}

/// The result of a node's forward rule.
struct ForwardStep {
  /// The node's output.
  var output: TrainValue
  /// State kept for the backward rule.
  var saved: SavedState? = nil
}

/// Forward rules by op: the same kernels as the float executor, with no fusion so every value is kept.
enum NodeForward {
  /// Computes `node` on `inputs`.
  static func run(
    _ node: Node, _ inputs: [TrainValue], outputShape: [Int], mode: TrainingMode, threads: Int
  ) throws(EngineError) -> ForwardStep {
    switch node.op {
    case .conv(let a):
      return ForwardStep(output: try ConvolutionRule.forward(node, a, inputs, outputShape, threads: threads))
    case .gemm(let a):
      return ForwardStep(output: GemmRule.forward(a, inputs, outputShape, threads: threads))
    case .matMul:
      return ForwardStep(output: MatMulRule.forward(inputs, outputShape, threads: threads))
    case .batchNormalization(let epsilon):
      return BatchNormRule.forward(inputs, epsilon: epsilon, mode: mode)
    case .relu, .clip, .hardSwish, .hardSigmoid, .sigmoid:
      return ForwardStep(output: ActivationRule.forward(node.op, inputs[0], threads: threads))
    case .add, .sub, .mul, .div:
      return ForwardStep(output: try BinaryRule.forward(node, inputs, outputShape, threads: threads))
    case .maxPool(let a):
      return ForwardStep(output: try PoolRule.forwardMax(node, a, inputs[0], outputShape, threads: threads))
    case .averagePool(let a):
      return ForwardStep(
        output: try PoolRule.forwardAverage(node, a, inputs[0], outputShape, threads: threads))
    case .globalAveragePool:
      return ForwardStep(output: ReduceRule.forwardGlobalAverage(inputs[0], outputShape))
    case .reduceMean(let axes, _):
      return ForwardStep(output: ReduceRule.forwardMean(inputs[0], axes: axes, outputShape))
    case .softmax(let axis):
      return ForwardStep(output: ReduceRule.forwardSoftmax(inputs[0], axis: axis, threads: threads))
    case .flatten, .reshape, .squeeze, .unsqueeze:
      return ForwardStep(output: TrainValue(shape: outputShape, values: inputs[0].values))
    case .transpose(let perm):
      return ForwardStep(output: ShapeRule.transpose(inputs[0], perm: ShapeRule.permutation(perm, inputs[0])))
    case .concat(let axis):
      return ForwardStep(output: ShapeRule.concat(inputs, axis: axis, outputShape))
    }
  }
}

/// Backward rules by op: the gradient of each input that needs one (nil for the others).
enum NodeBackward {
  /// The input gradients of `context.node`.
  static func run(_ context: BackwardContext) throws(EngineError) -> [TrainValue?] {
    let node = context.node
    switch node.op {
    case .conv(let a):
      return try ConvolutionRule.backward(a, context)
    case .gemm(let a):
      return GemmRule.backward(a, context)
    case .matMul:
      return MatMulRule.backward(context)
    case .batchNormalization:
      return BatchNormRule.backward(context)
    case .relu, .clip, .hardSwish, .hardSigmoid, .sigmoid:
      return [ActivationRule.backward(node.op, context)]
    case .add, .sub, .mul, .div:
      return BinaryRule.backward(node.op, context)
    case .maxPool(let a):
      return [try PoolRule.backwardMax(node, a, context)]
    case .averagePool(let a):
      return [try PoolRule.backwardAverage(node, a, context)]
    case .globalAveragePool:
      return [ReduceRule.backwardGlobalAverage(context)]
    case .reduceMean(let axes, _):
      return [ReduceRule.backwardMean(context, axes: axes)]
    case .softmax(let axis):
      return [ReduceRule.backwardSoftmax(context, axis: axis)]
    case .flatten, .reshape, .squeeze, .unsqueeze:
      return [TrainValue(shape: context.inputs[0].shape, values: context.outputGradient.values)]
    case .transpose(let perm):
      let forward = ShapeRule.permutation(perm, context.inputs[0])
      var inverse = [Int](repeating: 0, count: forward.count)
      for (i, p) in forward.enumerated() { inverse[p] = i }
      return [ShapeRule.transpose(context.outputGradient, perm: inverse)]
    case .concat(let axis):
      return ShapeRule.split(context, axis: axis)
    }
  }
}
