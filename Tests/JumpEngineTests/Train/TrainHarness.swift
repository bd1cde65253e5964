import Foundation
import JumpEngine
import Testing

/// A driver for `scripts/bench-train`, not a test: it runs only when `JUMPSTATION_TRAIN_HARNESS` names a
/// JSON job file, and is skipped otherwise.
///
/// Each job names a model, raw float32 samples (`input`) and raw int64 labels (`labels`), the batch size,
/// the thread count and how many epochs to time. An epoch is, per batch in stored order: a training-mode
/// forward pass, cross-entropy on the logits, the backward pass, and an SGD step (momentum 0.9, lr 0.01).
/// One untimed epoch warms up; `[{"seconds": [...], "setup_seconds": s}]` goes to
/// `JUMPSTATION_TRAIN_HARNESS_RESULT`.
@Suite("Training benchmark harness")
struct TrainHarness {
  static let jobsVariable = "JUMPSTATION_TRAIN_HARNESS"

  @Test("run training benchmark jobs", .enabled(if: ProcessInfo.processInfo.environment[jobsVariable] != nil))
  func runJobs() throws {
    let environment = ProcessInfo.processInfo.environment
    let jobsPath = try #require(environment[Self.jobsVariable])
    let resultPath = try #require(environment["\(Self.jobsVariable)_RESULT"])
    let jobs = try JSONDecoder().decode([Job].self, from: Data(contentsOf: URL(fileURLWithPath: jobsPath)))
    let results = try jobs.map { job in
      let start = Date()
      let model = try ONNXImporter.load(contentsOf: URL(fileURLWithPath: job.model))
      var graph = try TrainableGraph(model: model)
      graph.threads = job.threads
      let input = try BenchmarkJobs.samples(job.input, model)
      let labelData = try Data(contentsOf: URL(fileURLWithPath: job.labels))
      let labels = labelData.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
      let sampleSize = input.count / input.shape[0]
      let values = input.asFloats()
      var batches: [(Tensor, Tensor)] = []
      var position = 0
      while position < input.shape[0] {
        let end = min(position + job.batch, input.shape[0])
        batches.append(
          (
            Tensor(
              shape: [end - position] + input.shape.dropFirst(),
              floats: Array(values[(position * sampleSize)..<(end * sampleSize)])),
            Tensor(shape: [end - position], int64s: Array(labels[position..<end]))
          ))
        position = end
      }
      var optimizer = Optimizer(.sgd(momentum: 0.9))
      let setup = Date().timeIntervalSince(start)
      func epoch() throws {
        for (x, y) in batches {
          let pass = try graph.forward(x, mode: .training)
          let loss = try Loss.crossEntropy(logits: pass.outputs[0], labels: y)
          let gradients = try graph.backward(pass, outputGradients: [loss.gradient])
          graph.updateRunningStatistics(from: pass)
          optimizer.step(&graph, gradients: gradients, learningRate: 0.01)
        }
      }
      try epoch()
      let seconds = try BenchmarkJobs.time(job.repeats) { try epoch() }
      return BenchmarkJobs.Result(seconds: seconds, setup_seconds: setup)
    }
    try JSONEncoder().encode(results).write(to: URL(fileURLWithPath: resultPath))
  }

  /// One job: model, raw float32 samples, raw int64 labels, batch size, threads, timed epochs.
  struct Job: Decodable {
    var model: String
    var input: String
    var labels: String
    var batch: Int
    var threads: Int
    var repeats: Int
  }
}
