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
/// `[{"seconds": [...], "setup_seconds": s}]` to `JUMPSTATION_RUNTIME_HARNESS_RESULT`.
@Suite("Runtime benchmark harness")
struct RuntimeHarness {
  static let jobsVariable = "JUMPSTATION_RUNTIME_HARNESS"

  @Test(
    "run benchmark jobs", .enabled(if: ProcessInfo.processInfo.environment[jobsVariable] != nil))
  func runJobs() throws {
    try BenchmarkJobs.run(jobsVariable: Self.jobsVariable, resultVariable: "\(Self.jobsVariable)_RESULT") {
      job in
      let start = Date()
      let model = try ONNXImporter.load(contentsOf: URL(fileURLWithPath: job.model))
      let executor = try FloatExecutor(model: model, batchSize: job.batch, threads: job.threads)
      let loadSeconds = Date().timeIntervalSince(start)
      let input = try BenchmarkJobs.samples(job.input, model)
      var outputs = try executor.run(input: input)
      let seconds = try BenchmarkJobs.time(job.repeats) { outputs = try executor.run(input: input) }
      if let path = job.output, let first = outputs.first {
        try first.littleEndianBytes.write(to: URL(fileURLWithPath: path))
      }
      return BenchmarkJobs.Result(seconds: seconds, setup_seconds: loadSeconds)
    }
  }
}
