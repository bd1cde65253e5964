import Foundation
import JumpEngine
import Testing

/// Streams a generated 10,000-sample dataset and checks resident memory stays flat.
///
/// Opt-in (`JUMPSTATION_MEMORY_TEST=1`), since resident memory is only meaningful when no other test
/// allocates at the same time: `JUMPSTATION_MEMORY_TEST=1 swift test --filter DatasetMemoryTests`.
@Suite struct DatasetMemoryTests {
  /// The resident set size of this process in KiB, from `/proc/self/status`.
  func residentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }

  /// Writes `count` samples of 1×32×32 float32 to a `.npy`, 100 samples at a time.
  func writeLarge(count: Int) throws -> URL {
    let url = temporaryDirectory().appendingPathComponent("large.npy")
    try npyData(descr: "<f4", shape: [count, 1, 32, 32], payload: Data()).write(to: url)
    let handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    try handle.seekToEnd()
    for start in stride(from: 0, to: count, by: 100) {
      let values = (0..<100 * 1024).map { Float((start * 1024 + $0) % 1000) / 1000 }
      try handle.write(contentsOf: Tensor(shape: [100 * 1024], floats: values).littleEndianBytes)
    }
    return url
  }

  @Test(.enabled(if: ProcessInfo.processInfo.environment["JUMPSTATION_MEMORY_TEST"] != nil))
  func residentMemoryIsFlatOverTenThousandSamples() throws {
    let url = try writeLarge(count: 10_000)
    let options = DatasetOptions(transform: DatasetTransform(scale: 2, mean: [0.5]), shuffleSeed: 1)
    let dataset = try Dataset.open(path: url.path, options: options).dataset
    var batches = dataset.batches(size: 64)
    var samples: [Int] = []
    var resident: [Int] = []
    var seen = 0
    while let batch = try batches.next() {
      seen += batch.x.shape[0]
      if seen % (64 * 20) == 0 || seen == dataset.count {
        samples.append(seen)
        resident.append(residentKiB())
      }
    }
    print(
      "DatasetMemoryTests: samples read -> resident KiB: \(zip(samples, resident).map { "\($0)->\($1)" })")
    #expect(seen == 10_000)
    let growth = (resident.last ?? 0) - (resident.first ?? 0)
    #expect(growth < 8 * 1024, "resident memory grew by \(growth) KiB over \(seen) samples")
  }
}
