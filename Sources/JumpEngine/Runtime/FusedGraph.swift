/// A node as the executor runs it: the graph node, possibly absorbing the nodes that followed it.
struct PlannedNode {
  /// The node (for a fused convolution: its inputs may name folded weights, its output the last fused value).
  var node: Node
  /// An activation applied to the node's result (fused from a following Relu, Clip, HardSwish, ...).
  var activation: Activation = .none
}

/// The graph rewritten for execution: convolutions absorb a following BatchNormalization (folded into their
/// weights and bias) and a following activation, when the intermediate value has no other reader, is not a
/// graph output and need not be observed; a Gemm's transposed constant weight is stored transposed.
struct FusedGraph {
  /// The nodes to run, in order.
  var nodes: [PlannedNode]
  /// Every float constant: the model's initializers plus folded weights.
  var constants: [String: Tensor]

  /// Rewrites `graph`; `keep` names values that must stay materialized (observed by the caller).
  static func make(_ graph: Graph, keep: (String) -> Bool) -> FusedGraph {
    var readers: [String: [Int]] = [:]
    for (index, node) in graph.nodes.enumerated() {
      for input in node.inputs { readers[input, default: []].append(index) }
    }
    let outputs = Set(graph.outputs.map(\.name))
    var constants = graph.initializers
    var absorbed = Set<Int>()
    var planned: [PlannedNode] = []
    /// The single node reading `value`, when it may be fused away.
    func soleReader(_ value: String) -> Int? {
      guard !outputs.contains(value), !keep(value), let list = readers[value], list.count == 1 else {
        return nil
      }
      return list[0]
    }
    for (index, node) in graph.nodes.enumerated() where !absorbed.contains(index) {
      var current = PlannedNode(node: node)
      if case .batchNormalization(let epsilon) = node.op,
        let affine = batchNormAffine(node, epsilon: epsilon, constants: constants)
      {
        constants[affine.scale.name] = affine.scale.tensor
        constants[affine.shift.name] = affine.shift.tensor
        current.node.inputs = [node.inputs[0], affine.scale.name, affine.shift.name]
      }
      if case .gemm(let attributes) = node.op,
        let transposed = transposedGemmWeight(node, attributes, constants)
      {
        constants[transposed.name] = transposed.tensor
        current.node.inputs[1] = transposed.name
        var plain = attributes
        plain.transB = false
        current.node.op = .gemm(plain)
      }
      guard case .conv = node.op, node.outputs.count == 1 else {
        planned.append(current)
        continue
      }
      if let next = soleReader(node.outputs[0]), case .batchNormalization(let epsilon) = graph.nodes[next].op,
        let folded = foldBatchNorm(node, graph.nodes[next], epsilon: epsilon, constants: constants)
      {
        constants[folded.weight.name] = folded.weight.tensor
        constants[folded.bias.name] = folded.bias.tensor
        current.node.inputs = [node.inputs[0], folded.weight.name, folded.bias.name]
        current.node.outputs = graph.nodes[next].outputs
        absorbed.insert(next)
      }
      if let next = soleReader(current.node.outputs[0]), let activation = Activation(graph.nodes[next].op) {
        current.activation = activation
        current.node.outputs = graph.nodes[next].outputs
        absorbed.insert(next)
      }
      planned.append(current)
    }
    return FusedGraph(nodes: planned, constants: constants)
  }

  /// The `K x N` weight of a Gemm whose constant `B` is stored `N x K` (`transB`, as PyTorch exports
  /// linear layers), when the AVX-512 product runs it (`Kernels.gemm`): it reads 16 consecutive outputs'
  /// weights as one vector. Nil otherwise (no AVX-512, `N` not whole vectors, `B` not a float constant).
  private static func transposedGemmWeight(
    _ gemm: Node, _ attributes: GemmAttributes, _ constants: [String: Tensor]
  ) -> (name: String, tensor: Tensor)? {
    guard Kernels.vectorWidth >= 16, attributes.transB, gemm.inputs.count >= 2,
      let weight = constants[gemm.inputs[1]], weight.shape.count == 2, let w = weight.floats
    else { return nil }
    let (n, k) = (weight.shape[0], weight.shape[1])
    guard n % 16 == 0, w.count == n * k else { return nil }
    var transposed = [Float](repeating: 0, count: w.count)
    for row in 0..<n {
      for column in 0..<k { transposed[column * n + row] = w[row * k + column] }
    }
    return ("\(gemm.name)#transposed_weight", Tensor(shape: [k, n], floats: transposed))
  }

  /// Inference batch normalization as a per-channel scale and shift, nil when a parameter is not a constant.
  private static func batchNormAffine(
    _ bn: Node, epsilon: Float, constants: [String: Tensor]
  ) -> (scale: (name: String, tensor: Tensor), shift: (name: String, tensor: Tensor))? {
    guard bn.inputs.count == 5, let gamma = constants[bn.inputs[1]]?.floats,
      let beta = constants[bn.inputs[2]]?.floats, let mean = constants[bn.inputs[3]]?.floats,
      let variance = constants[bn.inputs[4]]?.floats, beta.count == gamma.count, mean.count == gamma.count,
      variance.count == gamma.count
    else { return nil }
    var scale = gamma
    var shift = beta
    for c in gamma.indices {
      scale[c] = gamma[c] / (variance[c] + epsilon).squareRoot()
      shift[c] = beta[c] - mean[c] * scale[c]
    }
    return (
      ("\(bn.name)#scale", Tensor(shape: [gamma.count], floats: scale)),
      ("\(bn.name)#shift", Tensor(shape: [gamma.count], floats: shift))
    )
  }

  /// The weight and bias of `conv` with `bn` folded in, or nil when some parameter is not a float constant.
  private static func foldBatchNorm(
    _ conv: Node, _ bn: Node, epsilon: Float, constants: [String: Tensor]
  ) -> (weight: (name: String, tensor: Tensor), bias: (name: String, tensor: Tensor))? {
    guard conv.inputs.count >= 2, bn.inputs.count == 5, let weight = constants[conv.inputs[1]],
      let w = weight.floats, let gamma = constants[bn.inputs[1]]?.floats,
      let beta = constants[bn.inputs[2]]?.floats, let mean = constants[bn.inputs[3]]?.floats,
      let variance = constants[bn.inputs[4]]?.floats, let channels = weight.shape.first
    else { return nil }
    var bias = [Float](repeating: 0, count: channels)
    if conv.inputs.count > 2 {
      guard let b = constants[conv.inputs[2]]?.floats, b.count == channels else { return nil }
      bias = b
    }
    guard gamma.count == channels, beta.count == channels, mean.count == channels, variance.count == channels
    else { return nil }
    let perChannel = channels > 0 ? w.count / channels : 0
    var folded = w
    for c in 0..<channels {
      let scale = gamma[c] / (variance[c] + epsilon).squareRoot()
      for i in (c * perChannel)..<((c + 1) * perChannel) { folded[i] = w[i] * scale }
      bias[c] = (bias[c] - mean[c]) * scale + beta[c]
    }
    return (
      ("\(conv.name)#folded_weight", Tensor(shape: weight.shape, floats: folded)),
      ("\(conv.name)#folded_bias", Tensor(shape: [channels], floats: bias))
    )
  }
}
