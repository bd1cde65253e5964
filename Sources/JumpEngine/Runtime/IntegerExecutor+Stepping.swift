extension IntegerExecutor {
  /// Runs the graph once on `input` (at most `batchSize` samples, one pass) and calls `beforeNode` with
  /// each node's index right before the node runs. The hook may read any live activation
  /// (`activation(_:)`, e.g. the node's inputs) and replace integer biases (`replaceBias(_:)`): the node
  /// and every later one then run with the new values. Returns the outputs as the device holds them.
  ///
  /// Bias correction uses it to measure each layer's input on the device's own arithmetic and correct the
  /// layer before it runs, in one pass whose outputs are those of the corrected model.
  public func run(
    input: Tensor, isCancelled: () -> Bool = { false }, beforeNode: (Int) throws(EngineError) -> Void
  ) throws(EngineError) -> [IntegerOutput] {
    let samples = input.shape.first ?? 0
    guard samples <= batchSize else {
      throw EngineError(
        .invalidData, "a stepped run takes at most \(batchSize) samples (one pass), got \(samples)")
    }
    return try execute(input: input, isCancelled: isCancelled, observing: false, before: beforeNode) { _ in }
  }

  /// The activation `name` as it is now in the pass under way (nil outside a pass, or for a name that is not
  /// an activation). Valid until the next node runs.
  public func activation(_ name: String) -> IntegerActivationView? {
    guard let shape = passShapes?[name] else { return nil }
    return view(name, shape: shape)
  }

  /// Replaces the values of an int32 or int64 bias the executor holds by `tensor`'s (same name and count).
  ///
  /// Throws `invalidData` when the executor has no bias of that name and type, or the counts differ.
  public func replaceBias(_ tensor: QuantizedTensor) throws(EngineError) {
    switch tensor.data {
    case .int32(let values)?:
      guard let memory = int32Constants[tensor.name], values.count == tensor.count else { break }
      memory.update(from: values, count: values.count)
      return
    case .int64(let values)?:
      guard let memory = int64Constants[tensor.name], values.count == tensor.count else { break }
      memory.update(from: values, count: values.count)
      return
    default:
      break
    }
    throw EngineError(
      .invalidData, "'\(tensor.name)' is not an int32 or int64 bias of this executor's graph")
  }
}
