import Foundation
import JumpEngine
import Testing

/// A driver for `scripts/bench-runtime`, not a test: it runs only when `JUMPSTATION_RUNTIME_HARNESS` names a
/// JSON job file, and is skipped otherwise.
///
/// The job file is a list of `{"model", "input", "batch", "threads", "repeats", "output"?}`: `input` is a raw
/// little-endian float32 file holding whole samples, `output` (optional) receives the first model output of
/// the last run as raw float32. For each job the harness loads the model, plans a `FloatExecutor`, runs
/// once to warm up, then times `repeats` runs of the whole input, and writes
/// `[{"seconds": [...], "load_seconds": s}]` to `JUMPSTATION_RUNTIME_HARNESS_RESULT`.
@Suite("Runtime benchmark harness")
struct RuntimeHarness {
  static let jobsPath = ProcessInfo.processInfo.environment["JUMPSTATION_RUNTIME_HARNESS"]

  struct Job: Decodable {
    var model: String
    var input: String
    var batch: Int
    var threads: Int
    var repeats: Int
    var output: String?
  }

  struct Result: Encodable {
    var seconds: [Double]
    var load_seconds: Double
  }

  @Test("run benchmark jobs", .enabled(if: jobsPath != nil))
  func runJobs() throws {
    let jobsPath = try #require(Self.jobsPath)
    let resultPath = try #require(ProcessInfo.processInfo.environment["JUMPSTATION_RUNTIME_HARNESS_RESULT"])
    let jobs = try JSONDecoder().decode([Job].self, from: Data(contentsOf: URL(fileURLWithPath: jobsPath)))
    var results: [Result] = []
    for job in jobs {
      let start = Date()
      let model = try ONNXImporter.load(contentsOf: URL(fileURLWithPath: job.model))
      let executor = try FloatExecutor(model: model, batchSize: job.batch, threads: job.threads)
      let loadSeconds = Date().timeIntervalSince(start)
      let sampleShape = Array(model.inputs[0].concreteShape(symbolicValue: 1).dropFirst())
      let data = try Data(contentsOf: URL(fileURLWithPath: job.input))
      let floats = data.count / 4
      let count = floats / max(1, sampleShape.reduce(1, *))
      let input = try Tensor(shape: [count] + sampleShape, dtype: .float32, littleEndianBytes: data)
      var outputs = try executor.run(input: input)
      var seconds: [Double] = []
      for _ in 0..<job.repeats {
        let t0 = DispatchTime.now().uptimeNanoseconds
        outputs = try executor.run(input: input)
        seconds.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
      }
      if let path = job.output, let first = outputs.first {
        try first.littleEndianBytes.write(to: URL(fileURLWithPath: path))
      }
      results.append(Result(seconds: seconds, load_seconds: loadSeconds))
    }
    try JSONEncoder().encode(results).write(to: URL(fileURLWithPath: resultPath))
  }
}
