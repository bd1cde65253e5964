import Foundation

/// What a `TrainingLoop` run does: epochs, batches, optimizer, schedule, and the validation split.
public struct TrainingConfiguration: Sendable {
  /// Passes over the training samples.
  public var epochs: Int
  /// Samples per optimizer step (the last batch of an epoch may be smaller).
  public var batchSize: Int
  /// The update rule.
  public var optimizer: OptimizerMethod
  /// The weight decay factor.
  public var weightDecay: Float
  /// The learning rate per step.
  public var schedule: LearningRateSchedule
  /// Seeds the per-epoch shuffles (epoch `e` shuffles with `seed + e`).
  public var seed: UInt64
  /// When set, gradients are scaled down to this global norm.
  public var clipNorm: Double?
  /// When set, this fraction of the samples (taken before any shuffle) is held out to pick the best epoch.
  public var validationFraction: Double?

  /// Creates a configuration (Adam at 1e-3, batch 32, no decay, no clipping, no validation by default).
  public init(
    epochs: Int, batchSize: Int = 32, optimizer: OptimizerMethod = .adam(), weightDecay: Float = 0,
    schedule: LearningRateSchedule = .constant(1e-3), seed: UInt64 = 0, clipNorm: Double? = nil,
    validationFraction: Double? = nil
  ) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.optimizer = optimizer
    self.weightDecay = weightDecay
    self.schedule = schedule
    self.seed = seed
    self.clipNorm = clipNorm
    self.validationFraction = validationFraction
  }
}

/// A progress report, sent after every batch.
public struct TrainingProgress: Sendable {
  /// The epoch (from 1) and the batch within it (from 1).
  public let epoch: Int, batch: Int
  /// Batches per epoch.
  public let batchCount: Int
  /// The mean loss and accuracy of the epoch's batches so far.
  public let loss: Double, accuracy: Double
  /// Training throughput over the epoch so far.
  public let samplesPerSecond: Double
  /// Set on the last report of an epoch when there is a validation split.
  public let validation: EpochEvaluation?
}

/// Loss and accuracy on a set of samples.
public struct EpochEvaluation: Sendable, Equatable {
  /// The mean loss per sample.
  public let loss: Double
  /// The fraction of samples classified correctly.
  public let accuracy: Double
}

/// The outcome of a training run.
public struct TrainingResult: Sendable {
  /// The trained model: the best epoch's when there was a validation split, else the last epoch's.
  public let model: Model
  /// The training loss and accuracy of every epoch.
  public let epochs: [EpochEvaluation]
  /// The validation loss and accuracy of every epoch (empty without a split).
  public let validation: [EpochEvaluation]
  /// The epoch (from 1) whose weights `model` holds.
  public let keptEpoch: Int
}

/// The engine's training service: cross-entropy training of a classifier on a labelled dataset.
///
/// Deterministic: the same model, data, configuration and thread count give the same weights bit for bit.
/// `isCancelled` is polled between batches; a cancelled run throws `cancelled` and, since models are
/// values, leaves the caller's model as it was.
public enum TrainingLoop {
  /// Trains `model` on `dataset` (which must have labels).
  ///
  /// `afterStep` runs after every optimizer step with the graph and the number of steps taken so far;
  /// pruning uses it to re-apply its masks (see `Prune/MaskedFineTuning`).
  public static func run(
    _ model: Model, on dataset: Dataset, configuration: TrainingConfiguration, threads: Int = 1,
    isCancelled: () -> Bool = { false }, progress: (TrainingProgress) -> Void = { _ in },
    afterStep: (inout TrainableGraph, _ steps: Int) -> Void = { _, _ in }
  ) throws(EngineError) -> TrainingResult {
    guard dataset.hasLabels else {
      throw EngineError(.invalidData, "\(dataset.path): training needs labels and this dataset has none")
    }
    guard configuration.epochs >= 1, configuration.batchSize >= 1 else {
      throw EngineError(.invalidData, "epochs and batch size must be at least 1")
    }
    var training = dataset
    var held: Dataset? = nil
    if let fraction = configuration.validationFraction {
      let parts = try dataset.split(1 - fraction)
      (training, held) = (parts.first, parts.rest)
    }
    var graph = try TrainableGraph(model: model)
    graph.threads = threads
    var optimizer = Optimizer(configuration.optimizer, weightDecay: configuration.weightDecay)
    let endsInSoftmax =
      model.graph.nodes.last.map { if case .softmax = $0.op { true } else { false } } ?? false
    var epochs: [EpochEvaluation] = []
    var validation: [EpochEvaluation] = []
    var best: (graph: TrainableGraph, loss: Double, epoch: Int)? = nil
    var step = 0
    for epoch in 1...configuration.epochs {
      let order = training.shuffled(seed: configuration.seed &+ UInt64(epoch))
      var batches = order.batches(size: configuration.batchSize)
      let start = ContinuousClock.now
      var (lossSum, correct, seen, index) = (0.0, 0, 0, 0)
      while let batch = try batches.next() {
        if isCancelled() { throw EngineError(.cancelled, "training cancelled") }
        guard let labels = batch.y else {
          throw EngineError(.invalidData, "\(dataset.path): a batch has no labels")
        }
        let pass = try graph.forward(batch.x, mode: .training)
        let loss = try objective(pass.outputs[0], labels, endsInSoftmax)
        guard loss.value.isFinite else {
          throw EngineError(
            .invalidData,
            "the loss became \(loss.value) in epoch \(epoch), batch \(index + 1); lower the learning rate")
        }
        var gradients = try graph.backward(pass, outputGradients: [loss.gradient])
        if let clip = configuration.clipNorm { gradients.clip(globalNorm: clip) }
        graph.updateRunningStatistics(from: pass)
        optimizer.step(
          &graph, gradients: gradients, learningRate: Float(configuration.schedule.rate(at: step)))
        step += 1
        afterStep(&graph, step)
        index += 1
        let n = batch.x.shape[0]
        lossSum += loss.value * Double(n)
        correct += Loss.correctCount(outputs: pass.outputs[0], labels: labels)
        seen += n
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let summary = EpochEvaluation(loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen))
        var checked: EpochEvaluation? = nil
        if index == batches.batchCount {
          epochs.append(summary)
          if let held {
            let result = try evaluate(
              graph, on: held, batchSize: configuration.batchSize, endsInSoftmax, isCancelled)
            validation.append(result)
            checked = result
            if best == nil || result.loss < (best?.loss ?? .infinity) { best = (graph, result.loss, epoch) }
          }
        }
        progress(
          TrainingProgress(
            epoch: epoch, batch: index, batchCount: batches.batchCount, loss: summary.loss,
            accuracy: summary.accuracy, samplesPerSecond: seconds > 0 ? Double(seen) / seconds : 0,
            validation: checked))
      }
    }
    let kept = best ?? (graph, 0, configuration.epochs)
    return TrainingResult(
      model: kept.graph.model, epochs: epochs, validation: validation, keptEpoch: kept.epoch)
  }

  /// Inference-mode loss and accuracy of `graph` on every sample of `dataset`.
  public static func evaluate(
    _ graph: TrainableGraph, on dataset: Dataset, batchSize: Int, _ endsInSoftmax: Bool,
    _ isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> EpochEvaluation {
    var batches = dataset.batches(size: batchSize)
    var (lossSum, correct, seen) = (0.0, 0, 0)
    while let batch = try batches.next() {
      if isCancelled() { throw EngineError(.cancelled, "training cancelled") }
      guard let labels = batch.y else {
        throw EngineError(.invalidData, "\(dataset.path): a batch has no labels")
      }
      let outputs = try graph.forward(batch.x, mode: .inference).outputs
      let n = batch.x.shape[0]
      lossSum += try objective(outputs[0], labels, endsInSoftmax).value * Double(n)
      correct += Loss.correctCount(outputs: outputs[0], labels: labels)
      seen += n
    }
    return EpochEvaluation(
      loss: lossSum / Double(max(seen, 1)), accuracy: Double(correct) / Double(max(seen, 1)))
  }

  /// Cross-entropy on logits, or on probabilities for a model that ends in Softmax.
  static func objective(
    _ output: Tensor, _ labels: Tensor, _ probabilities: Bool
  ) throws(EngineError) -> LossResult {
    probabilities
      ? try Loss.crossEntropy(probabilities: output, labels: labels)
      : try Loss.crossEntropy(logits: output, labels: labels)
  }
}
