/// What the compression report measured of one model: its size, cost and quality, and per layer.
///
/// Figures that need something the session may not have (a target for latency, a dataset for
/// accuracy) are nil when it is missing, and the renderings say "not measured" rather than guess.
public struct ModelFacts: Sendable, Equatable {
  /// One layer as the device runs it: a quantized model's device op, or a float model's node.
  public struct Layer: Sendable, Equatable {
    /// The node name (a device op is named after the first float node it computes).
    public var name: String
    /// `CONV_2D` for a device op, `Conv` for an ONNX node.
    public var op: String
    /// Weight and bias elements it reads.
    public var parameters: Int
    /// Bytes those take as stored (int4 packed, int8, int32 biases, fp32).
    public var bytes: Int
    /// Multiply-accumulates per sample.
    public var macs: Int
    /// The SQNR of its output against the float model, when measured.
    public var sqnrDecibels: Double?

    /// Creates a layer entry.
    public init(
      name: String, op: String, parameters: Int, bytes: Int, macs: Int, sqnrDecibels: Double? = nil
    ) {
      self.name = name
      self.op = op
      self.parameters = parameters
      self.bytes = bytes
      self.macs = macs
      self.sqnrDecibels = sqnrDecibels
    }
  }

  /// The session's name for the model.
  public var name: String
  /// `fp32`, `int8`, `int4`, `int16x8`.
  public var precision: String
  /// Weight and bias elements (a quantized model's device constants, BatchNorm folded).
  public var parameters: Int
  /// Of those, the ones that are not zero (pruning shows here; dense files still store the zeros).
  public var nonZeroParameters: Int
  /// Bytes of weights and constants as the device stores them.
  public var flashBytes: Int
  /// Arena plus runtime overhead, as TFLite Micro plans the exported file; nil when it cannot be planned.
  public var peakRAMBytes: Int?
  /// Multiply-accumulates per sample.
  public var macs: Int
  /// Estimated seconds per sample on the report's target.
  public var latencySeconds: Double?
  /// Top-1 accuracy on the report's dataset, when it has labels.
  public var accuracy: Double?
  /// Top-1 agreement with the model it is compared against.
  public var agreement: Double?
  /// Output SQNR in dB against the model it is compared against.
  public var sqnrDecibels: Double?
  /// Layers with parameters or MACs, in execution order.
  public var layers: [Layer]
  /// Live arena bytes while each exported op runs (empty when not planned).
  public var arenaTimeline: [Int]

  /// Creates the facts of a model; the measured figures start unknown.
  public init(
    name: String, precision: String, parameters: Int, nonZeroParameters: Int, flashBytes: Int, macs: Int,
    layers: [Layer] = []
  ) {
    self.name = name
    self.precision = precision
    self.parameters = parameters
    self.nonZeroParameters = nonZeroParameters
    self.flashBytes = flashBytes
    self.macs = macs
    self.layers = layers
    self.arenaTimeline = []
  }

  /// The fraction of parameters that are zero.
  public var sparsity: Double {
    parameters > 0 ? Double(parameters - nonZeroParameters) / Double(parameters) : 0
  }
}
