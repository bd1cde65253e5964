/// Which intermediate values a `FloatExecutor` keeps observable.
///
/// The executor fuses a convolution with a following batch normalization and activation when nothing else
/// reads the intermediate values; observed values are never fused away, so they can be recorded or visited.
public enum ObservedValues: Sendable, Equatable {
  /// Only the graph input and outputs (the fastest plan).
  case outputsOnly
  /// Every value (for calibration and training, which need all activations).
  case all
  /// The named values, plus the graph input and outputs.
  case named(Set<String>)
}

/// A tensor produced during a run, seen in place without copying.
///
/// `values` points into the executor's buffers and is valid only during the callback that receives it.
public struct ActivationView {
  /// The value's name in the graph.
  public let name: String
  /// The value's shape for this batch.
  public let shape: [Int]
  /// The elements in row-major order.
  public let values: UnsafeBufferPointer<Float>

  /// A copy of the values as a tensor.
  public func tensor() -> Tensor { Tensor(shape: shape, floats: Array(values)) }
}

/// The outputs of a run and the intermediate tensors recorded during it.
public struct ExecutionResult: Sendable, Equatable {
  /// The model outputs, in the graph's output order.
  public var outputs: [Tensor]
  /// The recorded values by name, every batch concatenated along the first axis.
  public var recorded: [String: Tensor]
}
