/// Whether a forward pass normalizes with batch statistics (training) or with the running ones (inference).
public enum TrainingMode: Sendable, Equatable {
  /// BatchNormalization uses the batch's mean and variance and reports them for the running update.
  case training
  /// BatchNormalization uses the running mean and variance, as the float executor does.
  case inference
}

/// A model prepared for training: its float initializers split into trainable parameters, running
/// statistics (buffers) and fixed constants, with a forward pass that keeps what the backward pass needs.
///
/// Parameters are the weights a node computes with: convolution weights and biases, Gemm and MatMul
/// constant operands, and BatchNormalization scale and bias. BatchNormalization mean and variance are
/// buffers: training-mode passes update them by momentum, never by gradient. Everything else (constants of
/// arithmetic, say) stays fixed. The graph is a value: optimizer steps change a copy, so a cancelled run
/// can simply drop it.
public struct TrainableGraph: Sendable {
  /// The graph as loaded; its initializers are not kept up to date (see `model`).
  public let graph: Graph
  /// Where the model came from.
  public let provenance: ModelProvenance
  /// The names of the trainable parameters, sorted.
  public let parameterNames: [String]
  /// The names of the BatchNormalization running means and variances, sorted.
  public let bufferNames: [String]
  /// The fraction of a batch statistic mixed into a running statistic per training step (PyTorch's
  /// convention: `running = (1 - momentum) * running + momentum * batch`, with the unbiased batch variance).
  public var batchNormMomentum: Float = 0.1
  /// Threads for the kernels and OpenBLAS.
  public var threads: Int = 1

  /// Every float initializer's current elements, by name.
  var constants: [String: [Float]]
  /// Every float initializer's shape, by name.
  let constantShapes: [String: [Int]]
  /// The name of the model's single input.
  let inputName: String

  /// Prepares `model` for training; initializers named in `frozen` are not trained, and those named in
  /// `additional` are trained although their role would make them constants (a learned scale, say).
  ///
  /// Throws `invalidModel` for models without exactly one input and `unsupportedOp` naming the node for a
  /// value that is not float32 or an op form the training kernels do not run (3-D convolution, ...).
  public init(
    model: Model, frozen: Set<String> = [], additional: Set<String> = []
  ) throws(EngineError) {
    let graph = model.graph
    guard graph.inputs.count == 1, let input = graph.inputs.first else {
      throw EngineError(
        .invalidModel, "training needs a model with exactly one input, this one has \(graph.inputs.count)")
    }
    try FloatExecutor.checkFloat(graph)
    var parameters = Set<String>()
    var buffers = Set<String>()
    for node in graph.nodes {
      guard node.outputs.count == 1 else {
        throw EngineError(
          .unsupportedOp,
          "node '\(node.name)' (\(node.op.onnxName)): training supports single-output nodes only")
      }
      try Self.checkSupported(node, graph)
      for (index, name) in node.inputs.enumerated() where graph.initializers[name] != nil {
        switch Self.role(of: node.op, input: index) {
        case .parameter: parameters.insert(name)
        case .buffer: buffers.insert(name)
        case .constant: break
        }
      }
    }
    self.graph = graph
    provenance = model.provenance
    inputName = input.name
    for name in additional where graph.initializers[name] == nil {
      throw EngineError(.invalidData, "'\(name)' is not an initializer of the model")
    }
    parameterNames = parameters.union(additional).subtracting(frozen).subtracting(buffers).sorted()
    bufferNames = buffers.sorted()
    constants = graph.initializers.mapValues { $0.floats ?? $0.asFloats() }
    constantShapes = graph.initializers.mapValues(\.shape)
  }

  /// What an initializer read by a node is to training.
  enum InitializerRole {
    /// Trained by gradient.
    case parameter
    /// A running statistic, updated by momentum.
    case buffer
    /// Fixed.
    case constant
  }

  /// The role of input `index` of an `op` node when it is an initializer.
  static func role(of op: Op, input index: Int) -> InitializerRole {
    switch op {
    case .conv, .gemm: return index >= 1 ? .parameter : .constant
    case .matMul: return .parameter
    case .batchNormalization: return index >= 3 ? .buffer : (index >= 1 ? .parameter : .constant)
    default: return .constant
    }
  }

  /// Rejects op forms the training kernels cannot run, naming the node.
  static func checkSupported(_ node: Node, _ graph: Graph) throws(EngineError) {
    let rank = graph.info(of: node.inputs.first ?? "")?.shape.count ?? 0
    switch node.op {
    case .conv, .maxPool, .averagePool:
      guard rank == 3 || rank == 4 else {
        throw EngineError(
          .unsupportedOp,
          "node '\(node.name)' (\(node.op.onnxName)): training supports 1-D and 2-D windows, the input has rank \(rank)"
        )
      }
    case .batchNormalization:
      guard node.inputs.count == 5 else {
        throw EngineError(
          .unsupportedOp,
          "node '\(node.name)' (BatchNormalization): expected 5 inputs, got \(node.inputs.count)")
      }
    default: break
    }
  }

  /// The current value of a parameter or buffer.
  public func value(of name: String) -> Tensor? {
    guard let values = constants[name], let shape = constantShapes[name] else { return nil }
    return Tensor(shape: shape, floats: values)
  }

  /// Replaces a parameter's or buffer's elements; throws `invalidData` for an unknown name or shape.
  public mutating func setValue(_ tensor: Tensor, of name: String) throws(EngineError) {
    guard let shape = constantShapes[name] else {
      throw EngineError(.invalidData, "'\(name)' is not an initializer of the model")
    }
    guard tensor.shape == shape else {
      throw EngineError(.invalidData, "'\(name)' has shape \(shape), got \(tensor.shape)")
    }
    constants[name] = tensor.floats ?? tensor.asFloats()
  }

  /// The model with its current parameters and running statistics as initializers.
  public var model: Model {
    var updated = graph
    for (name, values) in constants {
      guard let shape = constantShapes[name] else { continue }
      updated.initializers[name] = Tensor(shape: shape, floats: values)
    }
    return Model(graph: updated, provenance: provenance)
  }

  /// The number of trainable scalars.
  public var parameterCount: Int {
    parameterNames.reduce(0) { $0 + (constants[$1]?.count ?? 0) }
  }
}
