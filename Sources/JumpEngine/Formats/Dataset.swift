/// A view of a ``DatasetSource`` as a model sees it: which samples, in what order, transformed how.
///
/// Views are cheap values: shuffling, limiting and splitting make new views over the same source and
/// never read samples. Samples are read only when batches are asked for (see ``batches(size:)``), so a
/// dataset larger than memory is never loaded whole.
public struct Dataset: Sendable {
  /// The samples on disk.
  public let source: DatasetSource
  /// Layout conversion, scale and normalization applied to every sample read.
  public let transform: DatasetTransform
  /// The shape of one sample as batches deliver it (after layout conversion), without the batch axis.
  public let sampleShape: [Int]
  private let order: Order

  /// Which source samples the view holds, in order.
  private enum Order: Sendable {
    /// A contiguous range of source indices (no shuffle).
    case range(Range<Int>)
    /// Explicit source indices (after a shuffle).
    case indices(ArraySlice<Int>)
  }

  /// A view of every sample of `source`, in stored order, transformed by `transform`.
  ///
  /// Throws `invalidData` naming the dataset when the transform does not fit the samples.
  public init(source: DatasetSource, transform: DatasetTransform = DatasetTransform()) throws(EngineError) {
    self.source = source
    self.transform = transform
    sampleShape = try transform.sampleShape(stored: source.sampleShape, label: source.path)
    order = .range(0..<source.sampleCount)
  }

  private init(_ base: Dataset, order: Order) {
    source = base.source
    transform = base.transform
    sampleShape = base.sampleShape
    self.order = order
  }

  /// The number of samples in the view.
  public var count: Int {
    switch order {
    case .range(let range): return range.count
    case .indices(let indices): return indices.count
    }
  }

  /// Whether batches carry labels.
  public var hasLabels: Bool { source.hasLabels }
  /// Class names by label index, when the source names them.
  public var classes: [String]? { source.classes }
  /// The path the source was opened from.
  public var path: String { source.path }

  /// The source indices of the view's samples `positions`.
  public func sourceIndices(_ positions: Range<Int>) -> [Int] {
    switch order {
    case .range(let range):
      return Array(range.lowerBound + positions.lowerBound..<range.lowerBound + positions.upperBound)
    case .indices(let indices):
      return Array(
        indices[indices.startIndex + positions.lowerBound..<indices.startIndex + positions.upperBound])
    }
  }

  /// The same samples in a deterministic pseudo-random order: the same seed always gives the same order.
  public func shuffled(seed: UInt64) -> Dataset {
    let permutation = DatasetShuffle.permutation(count: count, seed: seed)
    let current = sourceIndices(0..<count)
    return Dataset(self, order: .indices(ArraySlice(permutation.map { current[$0] })))
  }

  /// The first `limit` samples of the view (all of them when there are fewer).
  public func prefix(_ limit: Int) -> Dataset {
    let kept = max(0, min(limit, count))
    switch order {
    case .range(let range): return Dataset(self, order: .range(range.lowerBound..<range.lowerBound + kept))
    case .indices(let indices): return Dataset(self, order: .indices(indices.prefix(kept)))
    }
  }

  /// Two disjoint views: the first `fraction` of the samples (rounded to the nearest whole sample) and
  /// the rest, in the view's order.
  ///
  /// Throws `invalidData` naming the dataset when either part would be empty.
  public func split(_ fraction: Double) throws(EngineError) -> (first: Dataset, rest: Dataset) {
    let cut = Int((Double(count) * fraction).rounded())
    guard fraction > 0, fraction < 1, cut > 0, cut < count else {
      throw EngineError.invalidData(
        path, "split=\(fraction) of \(count) samples leaves an empty part (\(cut) and \(count - cut))")
    }
    switch order {
    case .range(let range):
      let middle = range.lowerBound + cut
      return (
        Dataset(self, order: .range(range.lowerBound..<middle)),
        Dataset(self, order: .range(middle..<range.upperBound))
      )
    case .indices(let indices):
      let middle = indices.startIndex + cut
      return (
        Dataset(self, order: .indices(indices[..<middle])), Dataset(self, order: .indices(indices[middle...]))
      )
    }
  }

  /// Samples `positions` of the view, transformed, with their labels (if any).
  public func batch(_ positions: Range<Int>) throws(EngineError) -> DatasetBatch {
    guard positions.lowerBound >= 0, positions.upperBound <= count else {
      throw EngineError.invalidData(
        path, "samples \(positions.lowerBound)..<\(positions.upperBound) are out of range (0..<\(count))")
    }
    let indices = sourceIndices(positions)
    var stored: [Float] = []
    stored.reserveCapacity(indices.count * Tensor.elementCount(source.sampleShape))
    let nonFinite = try source.appendSamples(indices, to: &stored)
    let values = transform.apply(stored, count: indices.count, stored: source.sampleShape)
    let labels = source.hasLabels ? try source.labels(at: indices) : nil
    return DatasetBatch(
      x: Tensor(shape: [indices.count] + sampleShape, floats: values), y: labels, positions: positions,
      nonFiniteCount: nonFinite)
  }

  /// Batches of `size` samples (the last may be smaller), read one at a time as the iterator advances.
  public func batches(size: Int) -> DatasetBatches { DatasetBatches(dataset: self, batchSize: size) }
}
