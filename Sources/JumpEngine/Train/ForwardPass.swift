/// The record of one forward pass: every value it computed, kept for the backward pass.
public struct ForwardPass: Sendable {
  /// The model outputs, in graph order.
  public let outputs: [Tensor]
  /// The mode the pass ran in.
  public let mode: TrainingMode
  /// Every node output and the input, by value name.
  let values: [String: TrainValue]
  /// What nodes saved for their backward rule, by node index.
  let saved: [Int: SavedState]
  /// The values a `rewrite` replaced, as computed before the rewrite, by value name.
  var unrewritten: [String: TrainValue] = [:]
}

/// What a node's forward rule keeps for its backward rule beyond its inputs and output.
enum SavedState: Sendable {
  /// BatchNormalization: the per-channel mean and `1 / sqrt(variance + epsilon)` it normalized with, and
  /// (training mode) the unbiased batch variance for the running update.
  case batchNorm(mean: [Float], inverseDeviation: [Float], unbiasedVariance: [Float]?)
}

extension TrainableGraph {
  /// Runs the model on `input` (samples along the first axis), keeping every value for `backward`.
  ///
  /// Throws `invalidData` when the input's shape does not fit the model.
  public func forward(_ input: Tensor, mode: TrainingMode) throws(EngineError) -> ForwardPass {
    try forward(input, mode: mode, rewrite: { _, _ in nil })
  }

  /// `forward(_:mode:)` where `rewrite` sees the input and every node output as it is computed and may
  /// return a replacement that later nodes read instead (quantization-aware training inserts fake
  /// quantization this way, without ops of its own in the graph); the original is kept in the pass for the
  /// backward rules.
  func forward(
    _ input: Tensor, mode: TrainingMode, rewrite: (_ name: String, _ value: TrainValue) -> TrainValue?
  ) throws(EngineError) -> ForwardPass {
    guard input.rank >= 1, input.shape[0] > 0 else {
      throw EngineError(.invalidData, "input has shape \(input.shape); expected a non-empty batch")
    }
    let shapes = try ConcreteShapes.resolve(graph, batch: input.shape[0])
    guard shapes[inputName] == input.shape else {
      throw EngineError(
        .invalidData,
        "input has shape \(input.shape), the model expects \(shapes[inputName] ?? []) for '\(inputName)'")
    }
    var values: [String: TrainValue] = [:]
    var unrewritten: [String: TrainValue] = [:]
    func store(_ name: String, _ value: TrainValue) {
      if let replacement = rewrite(name, value) {
        unrewritten[name] = value
        values[name] = replacement
      } else {
        values[name] = value
      }
    }
    store(inputName, TrainValue(input))
    var saved: [Int: SavedState] = [:]
    for (index, node) in graph.nodes.enumerated() {
      var inputs: [TrainValue] = []
      for name in node.inputs { inputs.append(try value(name, in: values, node: node)) }
      guard let outputShape = shapes[node.outputs[0]] else {
        throw EngineError(.invalidModel, "node '\(node.name)': output shape is unknown")
      }
      let step = try NodeForward.run(node, inputs, outputShape: outputShape, mode: mode, threads: threads)
      store(node.outputs[0], step.output)
      if let state = step.saved { saved[index] = state }
    }
    var outputs: [Tensor] = []
    for output in graph.outputs {
      guard let v = values[output.name] ?? constantValue(output.name) else {
        throw EngineError(.invalidModel, "graph output '\(output.name)' was not computed")
      }
      outputs.append(v.tensor)
    }
    return ForwardPass(
      outputs: outputs, mode: mode, values: values, saved: saved, unrewritten: unrewritten)
  }

  /// Mixes the batch statistics of a training-mode pass into the running means and variances.
  public mutating func updateRunningStatistics(from pass: ForwardPass) {
    guard pass.mode == .training else { return }
    let m = batchNormMomentum
    for (index, state) in pass.saved {
      guard case .batchNorm(let mean, _, let variance?) = state else { continue }
      let node = graph.nodes[index]
      for (name, batch) in [(node.inputs[3], mean), (node.inputs[4], variance)] {
        guard constants[name] != nil else { continue }
        constants[name]?.withMutablePointer { running in
          for c in 0..<batch.count { running[c] = (1 - m) * running[c] + m * batch[c] }
        }
      }
    }
  }

  /// The value of a constant initializer, if `name` is one.
  func constantValue(_ name: String) -> TrainValue? {
    guard let values = constants[name], let shape = constantShapes[name] else { return nil }
    return TrainValue(shape: shape, values: values)
  }

  /// A computed value or a constant, or an error naming the node that reads it.
  func value(_ name: String, in values: [String: TrainValue], node: Node) throws(EngineError) -> TrainValue {
    if let v = values[name] ?? constantValue(name) { return v }
    throw EngineError(.invalidModel, "node '\(node.name)': input '\(name)' has no value")
  }
}
