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
}

/// Quantization-aware training: fine-tunes a float model through fake quantization, then converts it to
/// the integer graph post-training quantization would make, so export and the integer executors need
/// nothing of their own.
///
/// The loop is `TrainingLoop`'s (seeded shuffles, cross-entropy, the configured optimizer and schedule,
/// progress after every batch, cancellation between batches) around `QATGraph`'s fake-quantized passes.
/// The validation split of the configuration is not used. Deterministic like `TrainingLoop`.
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
    guard configuration.epochs >= 1, configuration.batchSize >= 1 else {
      throw EngineError(.invalidData, "epochs and batch size must be at least 1")
    }
    var graph = try QATGraph(model: model, ranges: ranges, options: options)
    graph.threads = threads
    // The arrays kept for reuse between steps go back to the system once the run is over.
    defer { FloatBufferPool.drain() }
    var optimizer = Optimizer(configuration.optimizer, weightDecay: configuration.weightDecay)
    let endsInSoftmax =
      model.graph.nodes.last.map { if case .softmax = $0.op { true } else { false } } ?? false
    var epochs: [EpochEvaluation] = []
    var step = 0
    for epoch in 1...configuration.epochs {
      let order = dataset.shuffled(seed: configuration.seed &+ UInt64(epoch))
      var batches = order.batches(size: configuration.batchSize)
      let start = ContinuousClock.now
      var (lossSum, correct, seen, index) = (0.0, 0, 0, 0)
      while let batch = try batches.next() {
        if isCancelled() { throw EngineError(.cancelled, "quantization-aware training cancelled") }
        guard let labels = batch.y else {
          throw EngineError(.invalidData, "\(dataset.path): a batch has no labels")
        }
        let pass = try graph.forward(batch.x)
        let loss = try TrainingLoop.objective(pass.outputs[0], labels, endsInSoftmax)
        guard loss.value.isFinite else {
          throw EngineError(
            .invalidData,
            "the loss became \(loss.value) in epoch \(epoch), batch \(index + 1); lower the learning rate")
        }
        var gradients = try graph.backward(pass, outputGradients: [loss.gradient])
        if let clip = configuration.clipNorm { gradients.clip(globalNorm: clip) }
        graph.step(
          &optimizer, gradients: gradients, learningRate: Float(configuration.schedule.rate(at: step)),
          from: pass)
        step += 1
        index += 1
        let n = batch.x.shape[0]
        lossSum += loss.value * Double(n)
        correct += Loss.correctCount(outputs: pass.outputs[0], labels: labels)
        seen += n
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let summary = EpochEvaluation(loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen))
        if index == batches.batchCount { epochs.append(summary) }
        progress(
          TrainingProgress(
            epoch: epoch, batch: index, batchCount: batches.batchCount, loss: summary.loss,
            accuracy: summary.accuracy, samplesPerSecond: seconds > 0 ? Double(seen) / seconds : 0,
            validation: nil))
      }
    }
    let (lowered, quantized) = try graph.convert()
    return QATResult(
      floatModel: graph.floatModel, ranges: graph.finalRanges, lowered: lowered, graph: quantized,
      epochs: epochs)
  }
}
