/// An estimate (not a measurement) of one inference's time on a device, op by op.
public struct LatencyEstimate: Sendable, Equatable {
  /// One operator of the exported file.
  public struct Step: Sendable, Equatable {
    /// The TFLite builtin (`CONV_2D`).
    public var op: String
    /// The tensor it writes.
    public var output: String
    /// Multiply-accumulates (or element operations for element-wise ops).
    public var macs: Int
    /// Bytes read and written: activations in and out, weights and biases.
    public var bytes: Int
    /// Whether it runs in float (a layer kept in float, or a float model).
    public var isFloat: Bool
    /// The estimated time in seconds.
    public var seconds: Double
  }

  /// The device it was estimated for.
  public var device: String
  /// Every op in execution order.
  public var steps: [Step]

  /// The whole inference, in seconds.
  public var seconds: Double { steps.reduce(0) { $0 + $1.seconds } }
  /// Multiply-accumulates of the whole inference.
  public var macs: Int { steps.reduce(0) { $0 + $1.macs } }
}
