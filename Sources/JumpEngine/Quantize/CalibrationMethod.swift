/// How a calibration turns the statistics of an activation tensor into its quantization range.
///
/// Every method sees the same streamed statistics (exact running minimum and maximum, a fixed-size
/// histogram) and returns a `(min, max)` clipping range that contains zero, since the TFLite integer spec
/// needs zero to be exactly representable. The definitions are in `CalibrationRangeSearch`.
public enum CalibrationMethod: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
  /// The observed minimum and maximum: nothing is clipped.
  case minmax
  /// Clip a fraction of the samples off the tails (`percentile`, default 99.99).
  case percentile
  /// TensorRT's KL-divergence threshold search, applied to each side of zero.
  case entropy
  /// The range minimizing the expected squared error of int8 asymmetric quantization.
  case mse

  /// Whether the method needs a histogram (everything except `minmax`).
  public var needsHistogram: Bool { self != .minmax }

  /// The method's name as scripts write it.
  public var description: String { rawValue }
}

/// What a `Calibrator` does: which method, over how many samples, in which batches.
public struct CalibrationOptions: Sendable, Equatable {
  /// The range-selection method.
  public var method: CalibrationMethod
  /// For `percentile`: the share of samples kept, in percent (90...100).
  public var percentile: Double
  /// Histogram bins per tensor (the state's size; it never grows with the data).
  public var bins: Int
  /// Samples per executor pass.
  public var batchSize: Int
  /// Use at most this many samples (the first ones of the dataset view); nil for all.
  public var sampleLimit: Int?
  /// Threads for the float executor.
  public var threads: Int
  /// Keep the model's outputs on this many leading samples (`Calibration.reference`), 0 for none.
  public var referenceSamples: Int

  /// The default number of histogram bins (as TensorRT and ONNX Runtime use).
  public static let defaultBins = 2048
  /// The default percentile.
  public static let defaultPercentile = 99.99

  /// Creates options; the defaults are `minmax`, 99.99, 2048 bins, batches of 64, every sample, one thread,
  /// and the outputs of the first 64 samples kept.
  public init(
    method: CalibrationMethod = .minmax, percentile: Double = CalibrationOptions.defaultPercentile,
    bins: Int = CalibrationOptions.defaultBins, batchSize: Int = 64, sampleLimit: Int? = nil,
    threads: Int = 1, referenceSamples: Int = CalibrationReference.defaultSamples
  ) {
    self.method = method
    self.percentile = percentile
    self.bins = bins
    self.batchSize = batchSize
    self.sampleLimit = sampleLimit
    self.threads = threads
    self.referenceSamples = max(0, referenceSamples)
  }

  /// Throws `invalidData` when an option is out of its range.
  public func validate() throws(EngineError) {
    guard percentile >= 90, percentile <= 100 else {
      throw EngineError(.invalidData, "percentile \(percentile) is out of range (expected 90...100)")
    }
    guard bins >= 128, bins <= 65536 else {
      throw EngineError(.invalidData, "bins \(bins) is out of range (expected 128...65536)")
    }
    guard batchSize >= 1 else {
      throw EngineError(.invalidData, "batch size must be at least 1, got \(batchSize)")
    }
    if let sampleLimit, sampleLimit < 1 {
      throw EngineError(.invalidData, "samples must be at least 1, got \(sampleLimit)")
    }
  }
}
