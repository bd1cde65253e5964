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
  /// When set, this fraction of the samples (a seeded draw, see `TrainingLoop.validationSplit`) never
  /// trains; accuracy there after every epoch picks the epoch to keep.
  public var validationFraction: Double?
  /// Random crops and flips of image batches (none by default).
  public var augmentation: ImageAugmentation

  /// Creates a configuration (Adam at 1e-3, batch 32, no decay, no clipping, no validation, no
  /// augmentation by default).
  public init(
    epochs: Int, batchSize: Int = 32, optimizer: OptimizerMethod = .adam(), weightDecay: Float = 0,
    schedule: LearningRateSchedule = .constant(1e-3), seed: UInt64 = 0, clipNorm: Double? = nil,
    validationFraction: Double? = nil, augmentation: ImageAugmentation = .none
  ) {
    self.augmentation = augmentation
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
  /// Epochs in the run and batches per epoch.
  public let epochCount: Int, batchCount: Int
  /// The mean loss and accuracy of the epoch's batches so far.
  public let loss: Double, accuracy: Double
  /// Training throughput over the epoch so far.
  public let samplesPerSecond: Double
  /// The estimated time left in the run, from its pace so far (validation not counted).
  public let secondsRemaining: Double
  /// Set on the last report of an epoch when there is a validation split.
  public let validation: EpochEvaluation?

  /// Whether this is the last report of its epoch.
  public var endsEpoch: Bool { batch == batchCount }

  /// Creates a report (the loops make them; tests and other front ends may too).
  public init(
    epoch: Int, batch: Int, epochCount: Int, batchCount: Int, loss: Double, accuracy: Double,
    samplesPerSecond: Double, secondsRemaining: Double, validation: EpochEvaluation?
  ) {
    self.epoch = epoch
    self.batch = batch
    self.epochCount = epochCount
    self.batchCount = batchCount
    self.loss = loss
    self.accuracy = accuracy
    self.samplesPerSecond = samplesPerSecond
    self.secondsRemaining = secondsRemaining
    self.validation = validation
  }
}

/// Loss and accuracy on a set of samples.
public struct EpochEvaluation: Sendable, Equatable {
  /// The mean loss per sample.
  public let loss: Double
  /// The fraction of samples classified correctly.
  public let accuracy: Double

  /// Creates an evaluation.
  public init(loss: Double, accuracy: Double) {
    self.loss = loss
    self.accuracy = accuracy
  }
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
  /// Trains `model` on `dataset` (which must have labels), on `EpochLoop`'s skeleton.
  ///
  /// `afterStep` runs after every optimizer step with the graph and the number of steps taken so far;
  /// pruning uses it to re-apply its masks (see `Prune/MaskedFineTuning`). `canKeep` says whether the
  /// weights after that many steps may be kept as the best epoch (see `EpochLoop.run`).
  public static func run(
    _ model: Model, on dataset: Dataset, configuration: TrainingConfiguration, threads: Int = 1,
    isCancelled: () -> Bool = { false }, progress: (TrainingProgress) -> Void = { _ in },
    afterStep: (inout TrainableGraph, _ steps: Int) -> Void = { _, _ in },
    canKeep: (_ steps: Int) -> Bool = { _ in true }
  ) throws(EngineError) -> TrainingResult {
    guard dataset.hasLabels else {
      throw EngineError(.invalidData, "\(dataset.path): training needs labels and this dataset has none")
    }
    let (training, held) = try validationSplit(dataset, configuration)
    var graph = try TrainableGraph(model: model)
    // The arrays kept for reuse between steps go back to the system once the run is over.
    defer { FloatBufferPool.drain() }
    graph.threads = threads
    var optimizer = Optimizer(configuration.optimizer, weightDecay: configuration.weightDecay)
    let endsInSoftmax = endsInSoftmax(model)
    let run = try EpochLoop.run(
      training, epochs: configuration.epochs, batchSize: configuration.batchSize, seed: configuration.seed,
      activity: "training", augmentation: configuration.augmentation, isCancelled: isCancelled,
      progress: progress,
      step: { (batch) throws(EngineError) -> StepOutcome in
        let labels = try batch.labels(dataset)
        let pass = try graph.forward(batch.x, mode: .training)
        let loss = try objective(pass.outputs[0], labels, endsInSoftmax)
        try batch.checkFinite(loss.value)
        var gradients = try graph.backward(pass, outputGradients: [loss.gradient])
        try batch.checkFinite(gradients)
        if let clip = configuration.clipNorm { gradients.clip(globalNorm: clip) }
        graph.updateRunningStatistics(from: pass)
        optimizer.step(
          &graph, gradients: gradients, learningRate: Float(configuration.schedule.rate(at: batch.step)))
        afterStep(&graph, batch.step + 1)
        return StepOutcome(
          loss: loss.value, correct: Loss.correctCount(outputs: pass.outputs[0], labels: labels))
      },
      validate: { () throws(EngineError) -> EpochEvaluation? in
        guard let held else { return nil }
        return try evaluate(graph, on: held, batchSize: configuration.batchSize, endsInSoftmax, isCancelled)
      },
      canKeep: canKeep, snapshot: { graph })
    return TrainingResult(
      model: run.kept.model, epochs: run.epochs, validation: run.validation, keptEpoch: run.keptEpoch)
  }

  /// The training samples and, when the configuration asks for validation, the held-out ones: the
  /// samples shuffled with the run's seed (epoch 0's shuffle; epochs use `seed + 1` on), then cut, so the
  /// held-out part is a seeded random draw whatever order the file stores the samples in.
  public static func validationSplit(
    _ dataset: Dataset, _ configuration: TrainingConfiguration
  ) throws(EngineError) -> (training: Dataset, held: Dataset?) {
    guard let fraction = configuration.validationFraction else { return (dataset, nil) }
    guard fraction > 0, fraction < 1 else {
      throw EngineError(.invalidData, "the validation fraction must be in (0, 1), got \(fraction)")
    }
    let parts = try dataset.shuffled(seed: configuration.seed).split(1 - fraction)
    return (parts.first, parts.rest)
  }

  /// Whether the model's last node is a Softmax (so its output is probabilities, not logits).
  static func endsInSoftmax(_ model: Model) -> Bool {
    model.graph.nodes.last.map { if case .softmax = $0.op { true } else { false } } ?? false
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

extension TrainingBatch {
  /// The batch's labels; throws `invalidData` naming `dataset` when it has none.
  func labels(_ dataset: Dataset) throws(EngineError) -> Tensor {
    guard let y else { throw EngineError(.invalidData, "\(dataset.path): a batch has no labels") }
    return y
  }
}
