import Foundation
import JumpEngine
import Testing

@Suite struct DatasetViewTests {
  /// A `.npy` of `count` samples of shape `shape` whose values are 0, 1, 2, ... with labels in an `.npz`.
  func labelled(count: Int, shape: [Int]) throws -> URL {
    let per = shape.reduce(1, *)
    let x = Tensor(shape: [count] + shape, floats: (0..<count * per).map(Float.init))
    let y = Tensor(shape: [count], int64s: (0..<count).map(Int64.init))
    let url = temporaryDirectory().appendingPathComponent("d.npz")
    try npz(["x.npy": npyData(x), "y.npy": npyData(y)], to: url)
    return url
  }

  @Test(arguments: [
    Tensor(shape: [2, 2], storage: .float64([0.5, -1.5, 1e300, 3])),
    Tensor(shape: [2, 2], storage: .uint8([0, 128, 255, 7])),
    Tensor(shape: [2, 2], storage: .int64([-3, 0, 1 << 40, 9])),
    Tensor(shape: [2, 2], storage: .int32([-3, 0, 70000, 9])),
    Tensor(shape: [2, 2], storage: .int8([-128, 0, 127, 9])),
    Tensor(shape: [2, 2], storage: .bool([true, false, false, true])),
  ])
  func everyDTypeBecomesFloat32(tensor: Tensor) throws {
    let url = temporaryDirectory().appendingPathComponent("x.npy")
    try npyData(tensor).write(to: url)
    let dataset = try Dataset(source: DatasetSource.open(path: url.path))
    var batches = dataset.batches(size: 5)
    let batch = try #require(try batches.next())
    #expect(batch.x == Tensor(shape: [2, 2], floats: tensor.asFloats()))
    #expect(batch.nonFiniteCount == (tensor.dtype == .float64 ? 1 : 0))  // 1e300 overflows float32
    #expect(batch.y == nil)
  }

  @Test func scaleMeanStdPerChannelAndForAll() throws {
    let url = try labelled(count: 2, shape: [2, 1, 2])  // values 0...7
    let per = DatasetTransform(scale: 0.5, mean: [1, 2], std: [2, 4])
    let x = try Dataset(source: DatasetSource.open(path: url.path), transform: per).batch(0..<2).x
    // channel 0: (v*0.5 - 1)/2, channel 1: (v*0.5 - 2)/4
    #expect(x.floats == [-0.5, -0.25, -0.25, -0.125, 0.5, 0.75, 0.25, 0.375])
    let all = DatasetTransform(scale: 2, mean: [1], std: [0.5])
    let y = try Dataset(source: DatasetSource.open(path: url.path), transform: all).batch(0..<1).x
    #expect(y.floats == [-2, 2, 6, 10])
  }

  @Test func channelsLastBecomesChannelsFirstBeforeNormalizing() throws {
    // one sample 2×2×3 (H, W, C): value = pixel * 10 + channel
    let values: [Float] = (0..<4).flatMap { p in (0..<3).map { Float(p * 10 + $0) } }
    let url = temporaryDirectory().appendingPathComponent("hwc.npy")
    try npyData(Tensor(shape: [1, 2, 2, 3], floats: values)).write(to: url)
    let transform = DatasetTransform(mean: [0, 1, 2], layout: .nhwc)
    let dataset = try Dataset(source: DatasetSource.open(path: url.path), transform: transform)
    #expect(dataset.sampleShape == [3, 2, 2])
    #expect(try dataset.batch(0..<1).x.floats == [0, 10, 20, 30, 0, 10, 20, 30, 0, 10, 20, 30])
  }

  @Test func optionsThatDoNotFitAreErrors() throws {
    let url = try labelled(count: 3, shape: [2, 2])
    let source = try DatasetSource.open(path: url.path)
    let nhwc = engineError { _ = try Dataset(source: source, transform: DatasetTransform(layout: .nhwc)) }
    #expect(nhwc?.message == "\(url.path): layout=nhwc needs samples of rank 3 (H×W×C), these are 2×2")
    let mean = engineError { _ = try Dataset(source: source, transform: DatasetTransform(mean: [1, 2, 3])) }
    #expect(mean?.message.hasPrefix("\(url.path): mean has 3 values but samples 2×2 have 2 channels") == true)
    let split = engineError { _ = try Dataset.open(path: url.path, options: DatasetOptions(split: 0.1)) }
    #expect(split?.message == "\(url.path): split=0.1 of 3 samples leaves an empty part (0 and 3)")
  }

  @Test func limitShuffleAndSplit() throws {
    let url = try labelled(count: 50, shape: [1])
    let limited = try Dataset.open(path: url.path, options: DatasetOptions(limit: 7)).dataset
    #expect(limited.count == 7)
    #expect(try limited.batch(0..<7).y?.asInt64s() == Array(0..<7))
    let a = try Dataset.open(path: url.path, options: DatasetOptions(shuffleSeed: 42)).dataset
    let b = try Dataset.open(path: url.path, options: DatasetOptions(shuffleSeed: 42)).dataset
    let c = try Dataset.open(path: url.path, options: DatasetOptions(shuffleSeed: 43)).dataset
    #expect(a.sourceIndices(0..<50) == b.sourceIndices(0..<50))
    #expect(a.sourceIndices(0..<50) != c.sourceIndices(0..<50))
    #expect(a.sourceIndices(0..<50) != Array(0..<50))
    #expect(a.sourceIndices(0..<50).sorted() == Array(0..<50))
    // Samples and labels stay paired after shuffling.
    let batch = try a.batch(0..<50)
    #expect(batch.x.floats?.map { Int64($0) } == batch.y?.asInt64s())
    #expect(batch.y?.asInt64s() == a.sourceIndices(0..<50).map(Int64.init))
    // Fixed expectation: the permutation must not change between versions.
    #expect(a.sourceIndices(0..<5) == DatasetShuffleExpectation.first5Seed42)

    let (train, rest) = try Dataset.open(path: url.path, options: DatasetOptions(shuffleSeed: 7, split: 0.8))
    let val = try #require(rest)
    #expect(train.count == 40)
    #expect(val.count == 10)
    let left = Set(train.sourceIndices(0..<40))
    let right = Set(val.sourceIndices(0..<10))
    #expect(left.isDisjoint(with: right))
    #expect(left.union(right) == Set(0..<50))
    let limitedSplit = try Dataset.open(path: url.path, options: DatasetOptions(limit: 10, split: 0.5))
    #expect(limitedSplit.dataset.sourceIndices(0..<5) == [0, 1, 2, 3, 4])
    #expect(limitedSplit.rest?.sourceIndices(0..<5) == [5, 6, 7, 8, 9])
  }

  @Test func batchesCoverEverySampleOnce() throws {
    let url = try labelled(count: 23, shape: [1, 2, 2])
    for seed in [nil, UInt64(3)] {
      let dataset = try Dataset.open(path: url.path, options: DatasetOptions(shuffleSeed: seed)).dataset
      var batches = dataset.batches(size: 5)
      #expect(batches.batchCount == 5)
      var seen: [Int64] = []
      var sizes: [Int] = []
      while let batch = try batches.next() {
        sizes.append(batch.x.shape[0])
        #expect(Array(batch.x.shape.dropFirst()) == [1, 2, 2])
        seen.append(contentsOf: try #require(batch.y).asInt64s())
      }
      #expect(sizes == [5, 5, 5, 5, 3])
      #expect(seen.sorted() == Array(0..<23))
      #expect(try batches.next() == nil)
    }
  }

  @Test func nonFiniteValuesAreCounted() throws {
    let values: [Float] = [1, .nan, 2, .infinity, -.infinity, 3, 4, .nan]
    let url = temporaryDirectory().appendingPathComponent("nan.npy")
    try npyData(Tensor(shape: [4, 2], floats: values)).write(to: url)
    let dataset = try Dataset(source: DatasetSource.open(path: url.path))
    #expect(try dataset.countNonFinite(chunk: 3) == 4)
    var batches = dataset.batches(size: 3)
    var perBatch: [Int] = []
    while let batch = try batches.next() { perBatch.append(batch.nonFiniteCount) }
    #expect(perBatch == [3, 1])
    #expect(batches.nonFiniteCount == 4)
    #expect(engineError { _ = try dataset.countNonFinite(isCancelled: { true }) }?.kind == .cancelled)
  }

  @Test func emptyDatasetsAreErrors() throws {
    let url = temporaryDirectory().appendingPathComponent("empty.npy")
    try npyData(descr: "<f4", shape: [0, 3], payload: Data()).write(to: url)
    #expect(
      engineError { _ = try DatasetSource.open(path: url.path) }?.message
        == "\(url.path): empty dataset: 0 samples")
    let limit = engineError {
      _ = try Dataset.open(path: try labelled(count: 2, shape: [1]).path, options: DatasetOptions(limit: 0))
    }
    #expect(limit?.message.hasSuffix("limit=0 leaves no samples") == true)
  }
}

/// The first five indices of the seed-42 permutation of 0..<50, computed independently (SplitMix64 and
/// Fisher–Yates in Python) so that the order never changes silently.
enum DatasetShuffleExpectation {
  static let first5Seed42 = [3, 22, 19, 2, 0]
}
