import Foundation
import JumpEngine

/// Streams a dataset through a model in batches, for the commands that run models (`eval`,
/// `predict`): checks shapes, polls for Ctrl-C between batches, reports progress on stderr for
/// long passes, and counts NaN/Inf inputs (the `dataset` command already warned about them once).
struct DatasetPass {
  let model: ModelValue
  let dataset: DatasetValue
  let batchSize: Int
  let threads: Int
  let environment: RunEnvironment
  let label: String
  /// The integer arithmetic a quantized model runs with.
  var arithmetic: IntegerArithmetic = .tfliteMicro

  /// What a pass saw besides the outputs.
  struct Summary {
    var samples = 0
    var nonFinite = 0
    var seconds: Double = 0
  }

  /// Runs every batch; `body` receives the batch and the model's first output for it.
  func run(_ body: (DatasetBatch, Tensor) throws(CommandError) -> Void) throws(CommandError) -> Summary {
    try checkShape()
    let executor: any BatchExecutor
    do {
      executor = try model.makeExecutor(batchSize: batchSize, threads: threads, arithmetic: arithmetic)
    } catch {
      throw CommandError(error)
    }
    var batches = dataset.dataset.batches(size: batchSize)
    var summary = Summary()
    let started = Date()
    var lastProgress = started
    let isCancelled = environment.isCancelled
    while true {
      if isCancelled() { throw CommandError("interrupted", exitCode: .interrupted) }
      let next: DatasetBatch?
      do { next = try batches.next() } catch { throw CommandError(error, parameter: "dataset") }
      guard let batch = next else { break }
      let outputs: [Tensor]
      do { outputs = try executor.run(input: batch.x, isCancelled: isCancelled) } catch {
        throw CommandError(error)
      }
      guard let first = outputs.first else { throw CommandError("model '\(model.name)' produced no output") }
      try body(batch, first)
      summary.samples += batch.positions.count
      summary.nonFinite += batch.nonFiniteCount
      let now = Date()
      if now.timeIntervalSince(lastProgress) >= 1 {
        environment.log("\(label): \(summary.samples)/\(dataset.dataset.count) samples")
        lastProgress = now
      }
    }
    summary.seconds = Date().timeIntervalSince(started)
    if summary.samples == 0 {
      throw CommandError("dataset '\(dataset.name)' (\(dataset.path)) has no samples", parameter: "dataset")
    }
    return summary
  }

  /// The model's input shape (batch aside) must equal the dataset's sample shape.
  private func checkShape() throws(CommandError) {
    guard let input = model.model.inputs.first else { return }
    let expected = input.shape.dropFirst()
    let sample = dataset.dataset.sampleShape
    let matches =
      expected.count == sample.count
      && zip(expected, sample).allSatisfy { dim, size in dim.value.map { $0 == size } ?? true }
    guard !matches else { return }
    let want = expected.map { $0.value.map(String.init) ?? "?" }.joined(separator: "×")
    let have = sample.map(String.init).joined(separator: "×")
    throw CommandError(
      "'\(dataset.path)': samples are \(have) but model '\(model.name)' takes \(want)", parameter: "dataset")
  }
}
