import Foundation

/// The outcome of quantization-aware training.
public struct QATResult: Sendable {
  /// The trained float model (BatchNormalization folded).
  public let floatModel: Model
  /// The final activation ranges, by tensor name (the calibration's where QAT did not track a tensor).
  public let ranges: [String: ClosedRange<Float>]
  /// The trained model lowered to TFLite's op set.
  public let lowered: LoweredGraph
  /// The integer graph, as `Quantizer` makes it from the trained weights and final ranges.
  public let graph: QuantizedGraph
  /// The fake-quantized training loss and accuracy of every epoch.
  public let epochs: [EpochEvaluation]
  /// The fake-quantized validation loss and accuracy of every epoch (empty without a split).
  public let validation: [EpochEvaluation]
  /// The epoch (from 1) whose weights and ranges the result holds.
  public let keptEpoch: Int
}

/// Quantization-aware training: fine-tunes a float model through fake quantization, then converts it to
/// the integer graph post-training quantization would make, so export and the integer executors need
/// nothing of their own.
///
/// The loop is `EpochLoop`'s (seeded shuffles, progress after every batch, cancellation between batches,
/// the optional validation split with best-epoch keeping) with cross-entropy, the configured optimizer and
/// schedule around `QATGraph`'s fake-quantized passes. Deterministic like `TrainingLoop`.
public enum QuantizationAwareTraining {
  /// Trains `model` on the labelled `dataset`, starting from the calibrated `ranges`.
  ///
  /// Throws `invalidData` for a dataset without labels, epochs or batch size below 1, or a loss that stops
  /// being finite; `cancelled` when `isCancelled` turns true between batches.
  public static func run(
    _ model: Model, ranges: [String: ClosedRange<Float>], on dataset: Dataset, options: QATOptions,
    configuration: TrainingConfiguration, threads: Int = 1, isCancelled: () -> Bool = { false },
    progress: (TrainingProgress) -> Void = { _ in }
  ) throws(EngineError) -> QATResult {
    guard dataset.hasLabels else {
      throw EngineError(
        .invalidData, "\(dataset.path): quantization-aware training needs labels and this dataset has none")
    }
    let (training, held) = try TrainingLoop.validationSplit(dataset, configuration)
    var graph = try QATGraph(model: model, ranges: ranges, options: options)
    graph.threads = threads
    // The arrays kept for reuse between steps go back to the system once the run is over.
    defer { FloatBufferPool.drain() }
    var optimizer = Optimizer(configuration.optimizer, weightDecay: configuration.weightDecay)
    let endsInSoftmax = TrainingLoop.endsInSoftmax(model)
    let run = try EpochLoop.run(
      training, epochs: configuration.epochs, batchSize: configuration.batchSize, seed: configuration.seed,
      activity: "quantization-aware training", augmentation: configuration.augmentation,
      isCancelled: isCancelled, progress: progress,
      step: { (batch) throws(EngineError) -> StepOutcome in
        let labels = try batch.labels(dataset)
        let pass = try graph.forward(batch.x)
        let loss = try TrainingLoop.objective(pass.outputs[0], labels, endsInSoftmax)
        try batch.checkFinite(loss.value)
        var gradients = try graph.backward(pass, outputGradients: [loss.gradient])
        try batch.checkFinite(gradients)
        if let clip = configuration.clipNorm { gradients.clip(globalNorm: clip) }
        graph.step(
          &optimizer, gradients: gradients, learningRate: Float(configuration.schedule.rate(at: batch.step)),
          from: pass)
        return StepOutcome(
          loss: loss.value, correct: Loss.correctCount(outputs: pass.outputs[0], labels: labels))
      },
      validate: { () throws(EngineError) -> EpochEvaluation? in
        guard let held else { return nil }
        return try evaluate(graph, on: held, batchSize: configuration.batchSize, endsInSoftmax, isCancelled)
      },
      snapshot: { graph })
    graph = run.kept
    let (lowered, quantized) = try graph.convert()
    return QATResult(
      floatModel: graph.floatModel, ranges: graph.finalRanges, lowered: lowered, graph: quantized,
      epochs: run.epochs, validation: run.validation, keptEpoch: run.keptEpoch)
  }

  /// Fake-quantized loss and accuracy of `graph` on every sample of `dataset` (ranges left as they are).
  static func evaluate(
    _ graph: QATGraph, on dataset: Dataset, batchSize: Int, _ endsInSoftmax: Bool, _ isCancelled: () -> Bool
  ) throws(EngineError) -> EpochEvaluation {
    var batches = dataset.batches(size: batchSize)
    var (lossSum, correct, seen) = (0.0, 0, 0)
    while let batch = try batches.next() {
      if isCancelled() { throw EngineError(.cancelled, "quantization-aware training cancelled") }
      guard let labels = batch.y else {
        throw EngineError(.invalidData, "\(dataset.path): a batch has no labels")
      }
      let output = try graph.forward(batch.x).outputs[0]
      let n = batch.x.shape[0]
      lossSum += try TrainingLoop.objective(output, labels, endsInSoftmax).value * Double(n)
      correct += Loss.correctCount(outputs: output, labels: labels)
      seen += n
    }
    return EpochEvaluation(
      loss: lossSum / Double(max(seen, 1)), accuracy: Double(correct) / Double(max(seen, 1)))
  }
}
