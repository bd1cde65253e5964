/// The "device" graph: what a TFLite interpreter will run, op for op, before it is written to a file.
///
/// Lowering produces one with every tensor float32 (a `LoweredGraph`); quantization assigns element types,
/// quantization parameters and integer constants. The same value serves the fake-quant simulation, the
/// integer reference executor and the TFLite exporter, so all three see exactly the same ops, operands and
/// parameters. Layout is logical NCHW (OIHW filters); see `QuantizedTensor`.
public struct QuantizedGraph: Sendable, Equatable {
  /// The graph's name (from the float model).
  public var name: String
  /// Every tensor by name: activations, weights, biases, other constants.
  public var tensors: [String: QuantizedTensor]
  /// The graph input tensor names.
  public var inputs: [String]
  /// The graph output tensor names, in the float model's output order.
  public var outputs: [String]
  /// The operators in execution order (every input is produced before it is read).
  public var nodes: [QuantizedNode]

  /// Creates a graph.
  public init(
    name: String, tensors: [String: QuantizedTensor], inputs: [String], outputs: [String],
    nodes: [QuantizedNode]
  ) {
    self.name = name
    self.tensors = tensors
    self.inputs = inputs
    self.outputs = outputs
    self.nodes = nodes
  }

  /// The tensor named `name`, or an `invalidModel` error naming it.
  public func tensor(_ name: String) throws(EngineError) -> QuantizedTensor {
    guard let tensor = tensors[name] else {
      throw EngineError(.invalidModel, "quantized graph '\(self.name)' has no tensor '\(name)'")
    }
    return tensor
  }

  /// Tensor names in a stable order: inputs, then each node's inputs and outputs as first met.
  ///
  /// The exporter numbers tensors in this order, so files are byte-for-byte reproducible.
  public var orderedTensorNames: [String] {
    var seen = Set<String>()
    var names: [String] = []
    for name in inputs + nodes.flatMap({ $0.inputs + $0.outputs }) + outputs where !seen.contains(name) {
      seen.insert(name)
      names.append(name)
    }
    return names
  }

  /// The nodes that read `tensor`, in execution order.
  public func consumers(of tensor: String) -> [QuantizedNode] {
    nodes.filter { $0.inputs.contains(tensor) }
  }

  /// The node that writes `tensor`, if any.
  public func producer(of tensor: String) -> QuantizedNode? {
    nodes.first { $0.outputs.contains(tensor) }
  }

  /// True when no tensor is quantized (a lowered float graph).
  public var isFloat: Bool { tensors.values.allSatisfy { $0.elementType == .float32 } }

  /// Checks that every operand exists, every activation is produced before it is read, and names are unique.
  ///
  /// Throws `invalidModel` naming the first node at fault.
  public func validate() throws(EngineError) {
    var available = Set(inputs)
    for (name, tensor) in tensors where tensor.isConstant { available.insert(name) }
    var nodeNames = Set<String>()
    for node in nodes {
      guard nodeNames.insert(node.name).inserted else {
        throw EngineError(.invalidModel, "quantized graph: two nodes are named '\(node.name)'")
      }
      for input in node.inputs where !available.contains(input) {
        throw EngineError(
          .invalidModel, "quantized graph: node '\(node.name)' reads '\(input)' before anything produces it")
      }
      for output in node.outputs {
        guard tensors[output] != nil else {
          throw EngineError(
            .invalidModel, "quantized graph: node '\(node.name)' writes unknown tensor '\(output)'")
        }
        guard !available.contains(output) else {
          throw EngineError(.invalidModel, "quantized graph: tensor '\(output)' is written twice")
        }
        available.insert(output)
      }
    }
    for output in outputs where !available.contains(output) {
      throw EngineError(.invalidModel, "quantized graph: output '\(output)' is not produced")
    }
  }

  /// Counts of each op (`CONV_2D: 4, ...`), for summaries and the requirement vector.
  public var opCounts: [String: Int] {
    var counts: [String: Int] = [:]
    for node in nodes { counts[node.op.tfliteName, default: 0] += 1 }
    return counts
  }
}
