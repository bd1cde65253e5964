import Foundation
import JumpEngine
import Testing

/// A driver for `scripts/bench-integer`, not a test: it runs only when `JUMPSTATION_INTEGER_HARNESS` names a
/// JSON job file, and is skipped otherwise.
///
/// The job file is a list of `{"model", "calibration", "input", "batch", "threads", "repeats", "codes"?}`:
/// `calibration` and `input` are raw little-endian float32 files of whole samples. For each job the harness
/// loads the float model, takes min/max ranges over the calibration samples, quantizes it (int8,
/// per-channel), plans an `IntegerExecutor`, runs once to warm up, then times `repeats` runs of the whole
/// input, and writes `[{"seconds": [...], "prepare_seconds": s}]` to `JUMPSTATION_INTEGER_HARNESS_RESULT`.
/// `codes` (optional) receives the first output's integer codes of the last run as raw int32, to check
/// that two builds compute the same bits.
@Suite("Integer executor benchmark harness")
struct IntegerHarness {
  static let jobsPath = ProcessInfo.processInfo.environment["JUMPSTATION_INTEGER_HARNESS"]

  struct Job: Decodable {
    var model: String
    var calibration: String
    var input: String
    var batch: Int
    var threads: Int
    var repeats: Int
    var codes: String?
  }

  struct Result: Encodable {
    var seconds: [Double]
    var prepare_seconds: Double
  }

  /// Whole samples of `model`'s input read from a raw float32 file.
  static func samples(_ path: String, _ model: Model) throws -> Tensor {
    let sampleShape = Array(model.inputs[0].concreteShape(symbolicValue: 1).dropFirst())
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let count = data.count / 4 / max(1, sampleShape.reduce(1, *))
    return try Tensor(shape: [count] + sampleShape, dtype: .float32, littleEndianBytes: data)
  }

  @Test("run benchmark jobs", .enabled(if: jobsPath != nil))
  func runJobs() throws {
    let jobsPath = try #require(Self.jobsPath)
    let resultPath = try #require(ProcessInfo.processInfo.environment["JUMPSTATION_INTEGER_HARNESS_RESULT"])
    let jobs = try JSONDecoder().decode([Job].self, from: Data(contentsOf: URL(fileURLWithPath: jobsPath)))
    var results: [Result] = []
    for job in jobs {
      let start = Date()
      let model = try ONNXImporter.load(contentsOf: URL(fileURLWithPath: job.model))
      let calibration = try Self.samples(job.calibration, model)
      let ranges = try QuantizeTestSupport.minMaxRanges(model, calibration)
      let graph = try Quantizer.quantize(try Lowering.lower(model), ranges: ranges, options: .init())
      let executor = try IntegerExecutor(graph: graph, batchSize: job.batch, threads: job.threads)
      let prepareSeconds = Date().timeIntervalSince(start)
      let input = try Self.samples(job.input, model)
      var outputs = try executor.runIntegers(input: input)
      var seconds: [Double] = []
      for _ in 0..<job.repeats {
        let t0 = DispatchTime.now().uptimeNanoseconds
        outputs = try executor.runIntegers(input: input)
        seconds.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
      }
      if let path = job.codes, let first = outputs.first {
        var bytes = Data()
        for code in first.codes { withUnsafeBytes(of: code.littleEndian) { bytes.append(contentsOf: $0) } }
        try bytes.write(to: URL(fileURLWithPath: path))
      }
      results.append(Result(seconds: seconds, prepare_seconds: prepareSeconds))
    }
    try JSONEncoder().encode(results).write(to: URL(fileURLWithPath: resultPath))
  }
}
