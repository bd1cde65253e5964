import Foundation
import JumpEngine
import Testing

/// What the benchmark harnesses (`RuntimeHarness`, `IntegerHarness`) share: a JSON file of jobs named by one
/// environment variable, a JSON file of results named by another, raw float32 sample files, and timing.
enum BenchmarkJobs {
  /// One job: a model, raw float32 input samples, the batch size and thread count to plan for, how many
  /// timed runs, and what each harness may also read or write.
  struct Job: Decodable {
    var model: String
    var input: String
    var batch: Int
    var threads: Int
    var repeats: Int
    /// `RuntimeHarness`: where to write the first output as raw float32.
    var output: String?
    /// `IntegerHarness`: raw float32 calibration samples.
    var calibration: String?
    /// `IntegerHarness`: where to write the first output's integer codes as raw int32.
    var codes: String?
    /// `IntegerHarness`: where to export the quantized graph as `.tflite` (float edges), for LiteRT.
    var tflite: String?
  }

  /// One job's timed runs, and the seconds spent before them (loading, quantizing, planning).
  struct Result: Encodable {
    var seconds: [Double]
    var setup_seconds: Double
  }

  /// Decodes `[Job]` from the file named by `$jobsVariable`, runs `body` on each, and writes the results to
  /// the file named by `$resultVariable`.
  static func run(
    jobsVariable: String, resultVariable: String, _ body: (Job) throws -> Result
  ) throws {
    let environment = ProcessInfo.processInfo.environment
    let jobsPath = try #require(environment[jobsVariable])
    let resultPath = try #require(environment[resultVariable])
    let jobs = try JSONDecoder().decode([Job].self, from: Data(contentsOf: URL(fileURLWithPath: jobsPath)))
    let results = try jobs.map(body)
    try JSONEncoder().encode(results).write(to: URL(fileURLWithPath: resultPath))
  }

  /// Whole samples of `model`'s input read from a raw little-endian float32 file.
  static func samples(_ path: String, _ model: Model) throws -> Tensor {
    let sampleShape = Array(model.inputs[0].concreteShape(symbolicValue: 1).dropFirst())
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let count = data.count / 4 / max(1, sampleShape.reduce(1, *))
    return try Tensor(shape: [count] + sampleShape, dtype: .float32, littleEndianBytes: data)
  }

  /// The seconds of each of `repeats` calls of `body`.
  static func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
    var seconds: [Double] = []
    for _ in 0..<repeats {
      let t0 = DispatchTime.now().uptimeNanoseconds
      try body()
      seconds.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return seconds
  }
}
