/// A computation graph: named inputs and outputs, nodes in topological order, and constant initializers.
public struct Graph: Sendable, Equatable {
  /// The graph's name (from the source model; informational).
  public var name: String
  /// The runtime inputs (initializers are not listed here).
  public var inputs: [ValueInfo]
  /// The outputs, with inferred shapes.
  public var outputs: [ValueInfo]
  /// The nodes, every value produced before it is used.
  public var nodes: [Node]
  /// The constant tensors (weights, biases, BN statistics), by value name.
  public var initializers: [String: Tensor]
  /// The default-domain ONNX opset the graph's op semantics follow.
  public var opset: Int
  /// The inferred shape and type of every value: inputs, initializers, and node outputs.
  public var valueInfo: [String: ValueInfo]

  /// Creates a graph; call `resolved()` to sort it and fill in `valueInfo`.
  public init(
    name: String, inputs: [ValueInfo], outputs: [ValueInfo], nodes: [Node],
    initializers: [String: Tensor], opset: Int, valueInfo: [String: ValueInfo] = [:]
  ) {
    self.name = name
    self.inputs = inputs
    self.outputs = outputs
    self.nodes = nodes
    self.initializers = initializers
    self.opset = opset
    self.valueInfo = valueInfo
  }

  /// The graph with nodes topologically sorted, shapes inferred for every value and output shapes filled in.
  ///
  /// Throws `invalidModel` naming the node on a cycle, a dangling input or a shape mismatch, and when an
  /// output is produced by nothing.
  public func resolved() throws(EngineError) -> Graph {
    var graph = self
    graph.nodes = try topologicallySortedNodes()
    var infos: [String: ValueInfo] = [:]
    for input in inputs { infos[input.name] = input }
    for (name, tensor) in initializers {
      infos[name] = ValueInfo(name: name, fixedShape: tensor.shape, dtype: tensor.dtype)
    }
    for node in graph.nodes {
      var nodeInputs: [ValueInfo] = []
      for name in node.inputs {
        guard let info = infos[name] else {
          throw EngineError(.invalidModel, "node '\(node.name)': input '\(name)' has no known shape")
        }
        nodeInputs.append(info)
      }
      let results = try ShapeInference.infer(node, inputs: nodeInputs, constants: initializers)
      for info in results { infos[info.name] = info }
    }
    graph.outputs = try outputs.map { (declared) throws(EngineError) -> ValueInfo in
      guard let inferred = infos[declared.name] else {
        throw EngineError(.invalidModel, "graph output '\(declared.name)' is not produced by any node")
      }
      return inferred
    }
    graph.valueInfo = infos
    return graph
  }

  /// The node that produces `value`, if any.
  public func producer(of value: String) -> Node? {
    nodes.first { $0.outputs.contains(value) }
  }

  /// The nodes that read `value`, in graph order.
  public func consumers(of value: String) -> [Node] {
    nodes.filter { $0.inputs.contains(value) }
  }

  /// The shape and type of a value (input, initializer or node output), if known.
  public func info(of value: String) -> ValueInfo? {
    if let info = valueInfo[value] { return info }
    if let input = inputs.first(where: { $0.name == value }) { return input }
    if let tensor = initializers[value] {
      return ValueInfo(name: value, fixedShape: tensor.shape, dtype: tensor.dtype)
    }
    return nil
  }

  /// The graph without initializers that no node reads and no output names.
  public func removingUnusedInitializers() -> Graph {
    var used = Set(outputs.map(\.name))
    for node in nodes { used.formUnion(node.inputs) }
    var graph = self
    graph.initializers = initializers.filter { used.contains($0.key) }
    for key in valueInfo.keys where initializers[key] != nil && !used.contains(key) {
      graph.valueInfo[key] = nil
    }
    return graph
  }
}
