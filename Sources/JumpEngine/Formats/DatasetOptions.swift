/// The options of a dataset declaration, applied in a fixed order: shuffle, then limit, then split.
public struct DatasetOptions: Sendable, Equatable {
  /// Layout conversion, scale and normalization.
  public var transform: DatasetTransform
  /// Keep only the first `limit` samples (after shuffling), if set.
  public var limit: Int?
  /// Shuffle with this seed, if set; otherwise keep the stored order.
  public var shuffleSeed: UInt64?
  /// Split into two views, the first holding this fraction of the samples, if set.
  public var split: Double?

  /// Creates options; the defaults read every sample as stored.
  public init(
    transform: DatasetTransform = DatasetTransform(), limit: Int? = nil, shuffleSeed: UInt64? = nil,
    split: Double? = nil
  ) {
    self.transform = transform
    self.limit = limit
    self.shuffleSeed = shuffleSeed
    self.split = split
  }
}

extension Dataset {
  /// Opens the dataset at `path` (reading only headers) and applies `options`.
  ///
  /// Returns the view and, when `options.split` is set, the second view holding the rest. Throws what
  /// ``DatasetSource/open(path:)`` throws, and `invalidData` naming the path for options that do not fit.
  public static func open(
    path: String, options: DatasetOptions = DatasetOptions()
  ) throws(EngineError)
    -> (dataset: Dataset, rest: Dataset?)
  {
    var dataset = try Dataset(source: try DatasetSource.open(path: path), transform: options.transform)
    if let seed = options.shuffleSeed { dataset = dataset.shuffled(seed: seed) }
    if let limit = options.limit {
      guard limit > 0 else { throw EngineError.invalidData(path, "limit=\(limit) leaves no samples") }
      dataset = dataset.prefix(limit)
    }
    guard let fraction = options.split else { return (dataset, nil) }
    let (first, rest) = try dataset.split(fraction)
    return (first, rest)
  }
}
