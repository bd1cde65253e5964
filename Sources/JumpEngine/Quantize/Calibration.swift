/// The result of calibrating a model: a quantization range for every activation tensor.
///
/// Ranges are keyed by value name: the model input and every value the float executor produces (with
/// nothing fused away, so each graph value has its own range). `tensorNames` lists them in execution
/// order. Every range contains zero (see `CalibrationRangeSearch`).
public struct Calibration: Sendable, Equatable {
  /// The method that chose the ranges.
  public var method: CalibrationMethod
  /// The percentile, for the `percentile` method.
  public var percentile: Double?
  /// Histogram bins per tensor (0 for `minmax`, which keeps none).
  public var bins: Int
  /// Samples streamed through the model.
  public var sampleCount: Int
  /// The session name of the dataset, when it has one.
  public var datasetName: String?
  /// The path the dataset was read from.
  public var datasetPath: String
  /// The model the ranges were measured on.
  public var model: CalibrationModelIdentity
  /// Tensor names in execution order (the input first).
  public var tensorNames: [String]
  /// The range of each tensor, by name.
  public var ranges: [String: CalibrationRange]
  /// NaN and infinite values seen across all tensors (left out of the statistics).
  public var nonFiniteCount: Int
  /// The model's outputs on the first samples, as the calibration pass computed them (nil when not kept).
  public var reference: CalibrationReference?
  /// The tap means of every weighted layer's input on the first samples, bias correction's float pass
  /// (nil when not kept).
  public var tapMeans: CalibrationTapMeans?

  /// Creates a calibration from its parts.
  public init(
    method: CalibrationMethod, percentile: Double?, bins: Int, sampleCount: Int, datasetName: String?,
    datasetPath: String, model: CalibrationModelIdentity, tensorNames: [String],
    ranges: [String: CalibrationRange], nonFiniteCount: Int = 0, reference: CalibrationReference? = nil,
    tapMeans: CalibrationTapMeans? = nil
  ) {
    self.method = method
    self.percentile = percentile
    self.bins = bins
    self.sampleCount = sampleCount
    self.datasetName = datasetName
    self.datasetPath = datasetPath
    self.model = model
    self.tensorNames = tensorNames
    self.ranges = ranges
    self.nonFiniteCount = nonFiniteCount
    self.reference = reference
    self.tapMeans = tapMeans
  }

  /// The range of a tensor, if it was calibrated.
  public func range(of name: String) -> CalibrationRange? { ranges[name] }

  /// The chosen ranges as `min...max` by tensor name, the form `Quantizer.quantize(_:ranges:options:)` takes.
  public var closedRanges: [String: ClosedRange<Float>] { ranges.mapValues { $0.min...$0.max } }

  /// The ranges in execution order.
  public var orderedRanges: [(name: String, range: CalibrationRange)] {
    tensorNames.compactMap { name in ranges[name].map { (name, $0) } }
  }

  /// The method as users name it: `minmax`, `percentile 99.99`, `entropy`, `mse`.
  public var methodDescription: String {
    guard method == .percentile, let percentile else { return method.rawValue }
    return "percentile \(Self.format(percentile))"
  }

  /// A percentile without a trailing `.0`.
  static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}
