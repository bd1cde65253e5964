import JumpEngine

/// A quantized model as the session holds it: the device graph, the lowered float graph it was
/// made from (for error reports), and how it was made.
public struct QuantizedModel: Sendable {
  /// The device graph the integer executor runs and the exporter writes.
  public var graph: QuantizedGraph
  /// The float graph after lowering (folded BatchNorm, fused activations), the reference for errors.
  public var lowered: LoweredGraph
  /// Precision, per-channel and skip list.
  public var options: QuantizationOptions
  /// How the activation ranges were chosen, e.g. `percentile 99.99 on operational`.
  public var calibrationDescription: String
  /// The session name of the dataset the ranges came from; error reports sample it.
  public var calibrationDataset: String
}
