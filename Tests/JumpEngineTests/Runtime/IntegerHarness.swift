import Foundation
import JumpEngine
import Testing

/// A driver for `scripts/bench-integer`, not a test: it runs only when `JUMPSTATION_INTEGER_HARNESS` names a
/// JSON job file, and is skipped otherwise.
///
/// The job file is a list of `{"model", "calibration", "input", "batch", "threads", "repeats", "codes"?,
/// "tflite"?}`:
/// `calibration` and `input` are raw little-endian float32 files of whole samples. For each job the harness
/// loads the float model, takes min/max ranges over the calibration samples, quantizes it (int8,
/// per-channel), plans an `IntegerExecutor`, runs once to warm up, then times `repeats` runs of the whole
/// input, and writes `[{"seconds": [...], "setup_seconds": s}]` to `JUMPSTATION_INTEGER_HARNESS_RESULT`.
/// `codes` (optional) receives the first output's integer codes of the last run as raw int32, to check
/// that two builds compute the same bits; `tflite` (optional) receives the quantized graph exported as
/// `.tflite` with float edges, for LiteRT's interpreter.
@Suite("Integer executor benchmark harness")
struct IntegerHarness {
  static let jobsVariable = "JUMPSTATION_INTEGER_HARNESS"

  @Test(
    "run benchmark jobs", .enabled(if: ProcessInfo.processInfo.environment[jobsVariable] != nil))
  func runJobs() throws {
    try BenchmarkJobs.run(jobsVariable: Self.jobsVariable, resultVariable: "\(Self.jobsVariable)_RESULT") {
      job in
      let start = Date()
      let model = try ONNXImporter.load(contentsOf: URL(fileURLWithPath: job.model))
      let ranges = try QuantizeTestSupport.minMaxRanges(
        model, try BenchmarkJobs.samples(try #require(job.calibration), model))
      let graph = try Quantizer.quantize(try Lowering.lower(model), ranges: ranges, options: .init())
      // A graph the exporter cannot write is timed without LiteRT.
      if let path = job.tflite, let data = try? TFLiteExporter.serialize(graph, io: .float) {
        try data.write(to: URL(fileURLWithPath: path))
      }
      let executor = try IntegerExecutor(graph: graph, batchSize: job.batch, threads: job.threads)
      let prepareSeconds = Date().timeIntervalSince(start)
      let input = try BenchmarkJobs.samples(job.input, model)
      var outputs = try executor.runIntegers(input: input)
      let seconds = try BenchmarkJobs.time(job.repeats) { outputs = try executor.runIntegers(input: input) }
      if let path = job.codes, let first = outputs.first {
        var bytes = Data()
        for code in first.codes { withUnsafeBytes(of: code.littleEndian) { bytes.append(contentsOf: $0) } }
        try bytes.write(to: URL(fileURLWithPath: path))
      }
      return BenchmarkJobs.Result(seconds: seconds, setup_seconds: prepareSeconds)
    }
  }
}
