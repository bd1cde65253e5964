import Foundation
import JumpEngine
import Testing

/// Calibrates the teacher on 200 and on 2,000 samples and compares peak resident memory.
///
/// Opt-in (`JUMPSTATION_MEMORY_TEST=1`), since resident memory is only meaningful when no other test
/// allocates at the same time: `JUMPSTATION_MEMORY_TEST=1 swift test --filter CalibrationMemoryTests`.
@Suite struct CalibrationMemoryTests {
  /// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`).
  func status(_ field: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }

  /// Resets the peak resident size (Linux: writing 5 to `/proc/self/clear_refs`).
  func resetPeak() {
    if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
      handle.write(Data("5".utf8))
      try? handle.close()
    }
  }

  /// Writes `count` seeded samples of 1×32×32 in [0, 1] to a `.npy`, 100 at a time.
  func writeSamples(count: Int) throws -> URL {
    let url = temporaryDirectory().appendingPathComponent("calibration.npy")
    try npyData(descr: "<f4", shape: [count, 1, 32, 32], payload: Data()).write(to: url)
    let handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    try handle.seekToEnd()
    var samples = CalibrationSamples(seed: 5)
    for _ in stride(from: 0, to: count, by: 100) {
      try handle.write(
        contentsOf: Tensor(shape: [100 * 1024], floats: samples.uniform(100 * 1024, 0, 1)).littleEndianBytes)
    }
    return url
  }

  @Test(.enabled(if: ProcessInfo.processInfo.environment["JUMPSTATION_MEMORY_TEST"] != nil))
  func peakMemoryDoesNotGrowWithSamples() throws {
    let model = try CalibrationRunnerTests.teacher()
    let dataset = try Dataset.open(path: try writeSamples(count: 2000).path).dataset
    var peaks: [Int: Int] = [:]
    for count in [200, 200, 2000] {
      resetPeak()
      let options = CalibrationOptions(method: .percentile, sampleLimit: count)
      let calibration = try Calibrator(model: model, options: options).calibrate(dataset)
      #expect(calibration.sampleCount == count)
      peaks[count] = status("VmHWM")
    }
    let small = peaks[200] ?? 0
    let large = peaks[2000] ?? 0
    print("CalibrationMemoryTests: peak resident KiB, 200 samples \(small), 2000 samples \(large)")
    #expect(small > 0)
    #expect(
      Double(large) <= 1.2 * Double(small), "peak \(large) KiB with 2000 samples vs \(small) KiB with 200")
  }
}
