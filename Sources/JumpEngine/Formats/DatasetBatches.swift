/// A batch of samples from a ``Dataset``.
public struct DatasetBatch: Sendable {
  /// The inputs, float32 `[n] + sampleShape` (`[n, C, H, W]` for images), transformed.
  public let x: Tensor
  /// The labels, `[n]` int64 class indices (or float32 `[n, ...]` targets), or nil for unlabelled data.
  public let y: Tensor?
  /// Which samples of the dataset view these are.
  public let positions: Range<Int>
  /// How many stored values in the batch are NaN or infinite.
  public let nonFiniteCount: Int
}

/// Streams a dataset in batches: only the current batch is in memory.
///
/// ```swift
/// var batches = dataset.batches(size: 64)
/// while let batch = try batches.next() {
///   // batch.x: [n, C, H, W]; batch.y: [n] or nil
/// }
/// if batches.nonFiniteCount > 0 { /* warn once */ }
/// ```
public struct DatasetBatches: Sendable {
  /// The dataset being read.
  public let dataset: Dataset
  /// Samples per batch (at least 1).
  public let batchSize: Int
  /// The position of the next sample to read.
  public private(set) var position = 0
  /// NaN and infinite values seen in the batches read so far.
  public private(set) var nonFiniteCount = 0

  /// Creates an iterator at the first sample.
  public init(dataset: Dataset, batchSize: Int) {
    self.dataset = dataset
    self.batchSize = max(1, batchSize)
  }

  /// The number of batches in a whole pass.
  public var batchCount: Int { (dataset.count + batchSize - 1) / batchSize }

  /// Reads the next batch, or returns nil after the last.
  public mutating func next() throws(EngineError) -> DatasetBatch? {
    guard position < dataset.count else { return nil }
    let end = min(position + batchSize, dataset.count)
    let batch = try dataset.batch(position..<end)
    position = end
    nonFiniteCount += batch.nonFiniteCount
    return batch
  }
}

extension Dataset {
  /// Reads every sample once, in stored order, and counts NaN and infinite values.
  ///
  /// This also decodes every image, so corrupt files are found now rather than midway through a later
  /// pass. `isCancelled` is polled between chunks; when it returns true the scan throws `cancelled`.
  public func countNonFinite(
    chunk: Int = 256, isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> Int {
    let indices = sourceIndices(0..<count).sorted()
    var total = 0
    var start = 0
    var buffer: [Float] = []
    while start < indices.count {
      if isCancelled() { throw EngineError(.cancelled, "\(path): cancelled") }
      let end = min(start + chunk, indices.count)
      buffer.removeAll(keepingCapacity: true)
      total += try source.appendSamples(Array(indices[start..<end]), to: &buffer)
      start = end
    }
    return total
  }
}
