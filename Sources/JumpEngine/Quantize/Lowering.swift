/// Rewrites a float `Model` into TFLite's op set (`LoweredGraph`), still in float32.
///
/// One pass over the nodes in order. A node that other nodes can be folded into (Conv, Gemm, MatMul, the
/// binary ops) looks ahead for its sole reader: a BatchNormalization is folded into its weights, then a
/// Relu, Relu6 or Clip becomes its fused activation; absorbed nodes are not visited again. Every other node
/// maps to one or a few TFLite ops. A node that cannot be lowered throws `unsupportedOp` naming the node,
/// why, and the `skip=` that would keep it in float; a node `skip` names is carried over unchanged as a
/// `QuantizedOp.float` node.
public enum Lowering {
  /// Lowers `model`; nodes `skip` names are kept as float nodes.
  ///
  /// Throws `unsupportedOp` for a node with no lowering, `invalidModel` when a shape is not fully known
  /// once the batch is fixed.
  public static func lower(_ model: Model, skip: SkipList = []) throws(EngineError) -> LoweredGraph {
    var builder = try LoweringBuilder(model: model, skip: skip)
    return try builder.run()
  }
}

/// The state of one lowering pass.
struct LoweringBuilder {
  /// The float graph being lowered.
  let graph: Graph
  /// Every value's shape with the batch at its lowered size (1 when symbolic).
  let shapes: [String: [Int]]
  /// The nodes kept in float.
  let skip: SkipList
  /// For each value, the indices of the nodes reading it.
  let readers: [String: [Int]]
  /// The graph output names (never fused away).
  let graphOutputs: Set<String>
  /// The tensors created so far.
  var tensors: [String: QuantizedTensor] = [:]
  /// The lowered nodes so far.
  var nodes: [QuantizedNode] = []
  /// Float nodes already folded into an earlier lowered node.
  var absorbed = Set<Int>()
  /// Tensors lowering created (no float value of that name).
  var derived = Set<String>()
  /// Names of nodes kept in float.
  var skipped: [String] = []

  init(model: Model, skip: SkipList) throws(EngineError) {
    graph = model.graph
    self.skip = skip
    shapes = try ConcreteShapes.resolve(graph, batch: 1)
    var readers: [String: [Int]] = [:]
    for (index, node) in graph.nodes.enumerated() {
      for input in node.inputs { readers[input, default: []].append(index) }
    }
    self.readers = readers
    graphOutputs = Set(graph.outputs.map(\.name))
    if ConcreteShapes.fixedBatch(of: graph) == nil { try checkBatchLeading() }
  }

  /// Every node output keeps the (symbolic) batch as its first dimension, so executors can run any batch.
  private func checkBatchLeading() throws(EngineError) {
    let doubled = try ConcreteShapes.resolve(graph, batch: 2)
    for node in graph.nodes {
      for output in node.outputs {
        guard let one = shapes[output], let two = doubled[output] else { continue }
        guard one.count >= 1, two.count == one.count, one[0] == 1, two[0] == 2,
          one.dropFirst() == two.dropFirst()
        else {
          throw cannotQuantize(node, "its output '\(output)' does not keep the batch as its first dimension")
        }
      }
    }
  }

  /// Runs the pass.
  mutating func run() throws(EngineError) -> LoweredGraph {
    for input in graph.inputs { _ = try activation(input.name) }
    for (index, node) in graph.nodes.enumerated() where !absorbed.contains(index) {
      if skip.matches(node) {
        try emitFloat(node)
        continue
      }
      try lower(index, node)
    }
    let lowered = QuantizedGraph(
      name: graph.name, tensors: tensors, inputs: graph.inputs.map(\.name),
      outputs: graph.outputs.map(\.name),
      nodes: nodes)
    try lowered.validate()
    return LoweredGraph(graph: lowered, derivedTensors: derived, skippedNodes: skipped)
  }

  /// Lowers one node that is not skipped.
  private mutating func lower(_ index: Int, _ node: Node) throws(EngineError) {
    switch node.op {
    case .conv(let a): try lowerConv(node, a)
    case .gemm(let a): try lowerGemm(node, a)
    case .matMul: try lowerMatMul(node)
    case .batchNormalization(let epsilon): try lowerBatchNorm(node, epsilon: epsilon)
    case .relu, .clip: try lowerStandaloneActivation(node)
    case .hardSwish: try lowerUnary(node, .hardSwish)
    case .sigmoid: try lowerUnary(node, .logistic)
    case .hardSigmoid(let alpha, let beta): try lowerHardSigmoid(node, alpha: alpha, beta: beta)
    case .add, .sub, .mul: try lowerBinary(node)
    case .div: try lowerDiv(node)
    case .maxPool(let a): try lowerPool(node, a, max: true)
    case .averagePool(let a): try lowerPool(node, a, max: false)
    case .globalAveragePool: try lowerGlobalAveragePool(node)
    case .reduceMean(let axes, let keepDims): try lowerReduceMean(node, axes: axes, keepDims: keepDims)
    case .flatten, .reshape, .squeeze, .unsqueeze: try lowerReshape(node)
    case .concat(let axis): try lowerConcat(node, axis: axis)
    case .softmax(let axis): try lowerSoftmax(node, axis: axis)
    case .transpose:
      throw cannotQuantize(node, "TRANSPOSE is not in the TFLite op set JumpStation exports")
    }
  }

  // MARK: - Errors and names

  /// The error for a node with no lowering, naming the `skip=` that would keep it in float.
  func cannotQuantize(_ node: Node, _ reason: String) -> EngineError {
    EngineError(
      .unsupportedOp,
      "node '\(node.name)' (\(node.op.onnxName)) cannot be quantized: \(reason); skip=[\"\(node.name)\"] would keep it in float"
    )
  }

  /// `base`, or `base#2`, `base#3`, ... when the name is taken by a tensor or a float value.
  func uniqueName(_ base: String) -> String {
    func taken(_ name: String) -> Bool {
      tensors[name] != nil || graph.valueInfo[name] != nil || graph.initializers[name] != nil
    }
    if !taken(base) { return base }
    var n = 2
    while taken("\(base)#\(n)") { n += 1 }
    return "\(base)#\(n)"
  }

  /// A unique node name starting with `base`.
  func uniqueNodeName(_ base: String) -> String {
    if !nodes.contains(where: { $0.name == base }) { return base }
    var n = 2
    while nodes.contains(where: { $0.name == "\(base)#\(n)" }) { n += 1 }
    return "\(base)#\(n)"
  }

  // MARK: - Tensors

  /// The shape of a float value, or `invalidModel`.
  func shape(_ value: String) throws(EngineError) -> [Int] {
    guard let shape = shapes[value] else {
      throw EngineError(.invalidModel, "value '\(value)' has no known shape")
    }
    return shape
  }

  /// The float32 elements of an initializer, nil when `value` is not a float constant.
  func floatConstant(_ value: String) -> [Float]? {
    graph.initializers[value]?.floats
  }

  /// Registers the activation tensor for a float value and returns its name.
  mutating func activation(_ value: String) throws(EngineError) -> String {
    if tensors[value] == nil { tensors[value] = QuantizedTensor(name: value, shape: try shape(value)) }
    return value
  }

  /// Registers a new activation tensor lowering needs between two ops.
  mutating func derivedActivation(_ base: String, shape: [Int]) -> String {
    let name = uniqueName(base)
    tensors[name] = QuantizedTensor(name: name, shape: shape)
    derived.insert(name)
    return name
  }

  /// Registers a float constant under a fresh name based on `base`.
  mutating func constant(_ base: String, shape: [Int], values: [Float]) -> String {
    let name = uniqueName(base)
    tensors[name] = QuantizedTensor(name: name, shape: shape, data: .float32(values))
    return name
  }

  /// An input of a lowered node: the initializer as a float constant, or the activation.
  mutating func operand(_ value: String) throws(EngineError) -> String {
    if let initializer = graph.initializers[value] {
      if tensors[value] == nil {
        tensors[value] = QuantizedTensor(
          name: value, shape: initializer.shape, data: .float32(initializer.asFloats()))
      }
      return value
    }
    return try activation(value)
  }

  /// Appends a lowered node computing `sources`.
  mutating func emit(
    _ op: QuantizedOp, name: String, inputs: [String], output: String, sources: [Node]
  ) {
    nodes.append(
      QuantizedNode(
        name: uniqueNodeName(name), op: op, inputs: inputs, outputs: [output], sources: sources.map(\.name),
        sourceOps: sources.map(\.op.onnxName)))
  }

  /// Carries a skipped node over unchanged.
  private mutating func emitFloat(_ node: Node) throws(EngineError) {
    var inputs: [String] = []
    for input in node.inputs { inputs.append(try operand(input)) }
    for output in node.outputs { _ = try activation(output) }
    nodes.append(
      QuantizedNode(
        name: uniqueNodeName(node.name), op: .float(node), inputs: inputs, outputs: node.outputs,
        sources: [node.name], sourceOps: [node.op.onnxName]))
    skipped.append(node.name)
  }

  // MARK: - Fusion

  /// The index of the node that alone reads `value`, when it may be absorbed into `value`'s producer.
  func soleReader(of value: String) -> Int? {
    guard !graphOutputs.contains(value), let list = readers[value], list.count == 1,
      !absorbed.contains(list[0]), !skip.matches(graph.nodes[list[0]]),
      graph.nodes[list[0]].inputs.first == value
    else { return nil }
    return list[0]
  }

  /// Absorbs a Relu or Clip that alone reads `value`: the fused activation, the value the lowered node now
  /// writes, and the absorbed node (nil when there is none).
  mutating func fuseActivation(after value: String) -> (OutputActivation, String, Node?) {
    guard let index = soleReader(of: value), graph.nodes[index].outputs.count == 1 else {
      return (.none, value, nil)
    }
    let reader = graph.nodes[index]
    let activation: OutputActivation
    switch reader.op {
    case .relu: activation = .relu
    case .clip(let low, let high):
      activation = OutputActivation(low: low ?? -.infinity, high: high ?? .infinity)
    default: return (.none, value, nil)
    }
    absorbed.insert(index)
    return (activation, reader.outputs[0], reader)
  }
}
