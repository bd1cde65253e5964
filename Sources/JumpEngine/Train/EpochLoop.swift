import Foundation

/// One batch as `EpochLoop` hands it to a training step.
public struct TrainingBatch: Sendable {
  /// The inputs (augmented when the run augments), `[n] + sampleShape`.
  public let x: Tensor
  /// The labels, when the dataset has them.
  public let y: Tensor?
  /// Which samples of `order` these are.
  public let positions: Range<Int>
  /// The epoch's shuffled view of the training samples (for lookups by source index).
  public let order: Dataset
  /// The epoch (from 1) and the batch within it (from 1).
  public let epoch: Int, index: Int
  /// Optimizer steps taken before this batch (the learning-rate schedule's step).
  public let step: Int

  /// The number of samples in the batch.
  public var count: Int { x.shape[0] }

  /// Throws `invalidData` naming the epoch and batch when `loss` is NaN or infinite.
  ///
  /// A step calls this before it touches the weights, so the state it stops in is the last good one.
  public func checkFinite(_ loss: Double) throws(EngineError) {
    guard !loss.isFinite else { return }
    throw diverged("the loss became \(loss)")
  }

  /// Throws `invalidData` naming the epoch and batch when a gradient is NaN or infinite.
  ///
  /// A finite loss does not guarantee finite gradients: a NaN input can be clamped away by a fake
  /// quantizer or a probability floor on the way to the loss, yet poison every weight the backward pass
  /// reaches. Steps call this before the optimizer, as they call `checkFinite(_:)` on the loss.
  public func checkFinite(_ gradients: Gradients) throws(EngineError) {
    guard !gradients.areFinite else { return }
    throw diverged("the gradients became NaN or infinite")
  }

  private func diverged(_ what: String) -> EngineError {
    EngineError(
      .invalidData,
      "\(what) in epoch \(epoch), batch \(index): training diverged and stopped, the model is unchanged "
        + "(lower the learning rate, or look for NaN or huge values in the data)")
  }
}

/// What one training step reports back to `EpochLoop`.
public struct StepOutcome: Sendable {
  /// The batch's mean loss.
  public let loss: Double
  /// How many of the batch's samples the model got right (for distillation: agreed with the teacher).
  public let correct: Int

  /// Creates an outcome.
  public init(loss: Double, correct: Int) {
    self.loss = loss
    self.correct = correct
  }
}

/// What `EpochLoop.run` gives back: per-epoch numbers and the kept state.
public struct EpochLoopResult<State> {
  /// The training loss and accuracy of every epoch.
  public let epochs: [EpochEvaluation]
  /// The validation loss and accuracy of every epoch (empty without validation).
  public let validation: [EpochEvaluation]
  /// Training samples per second of every epoch.
  public let samplesPerSecond: [Double]
  /// The best epoch's state (highest validation accuracy, then lowest loss), or the last epoch's.
  public let kept: State
  /// The epoch (from 1) `kept` comes from.
  public let keptEpoch: Int
}

/// The skeleton every training run shares: seeded epoch shuffles, batches, optional augmentation,
/// cancellation between batches, progress after every batch, validation after every epoch and
/// best-epoch keeping. What a step does (forward, loss, backward, update) is the caller's closure, so
/// plain training, quantization-aware training and distillation differ only there.
///
/// Epoch `e` shuffles with `seed + e` and augments from its own stream of the same seed, so a run is
/// deterministic for a given seed and thread count.
public enum EpochLoop {
  /// Runs `epochs` passes over `training` in batches of `batchSize`.
  ///
  /// - Parameters:
  ///   - activity: names the run in the cancellation error ("training cancelled").
  ///   - step: trains on one batch; it should call `TrainingBatch.checkFinite` before updating weights.
  ///   - validate: measures the current state after every epoch (nil: no validation); the best epoch is
  ///     kept.
  ///   - canKeep: whether the state after `steps` optimizer steps may be kept as the best (gradual pruning
  ///     has not reached its final sparsity before a late step); the last epoch is kept when none may.
  ///   - snapshot: the current state, taken when an epoch is the best so far and at the end.
  public static func run<State>(
    _ training: Dataset, epochs: Int, batchSize: Int, seed: UInt64, activity: String,
    augmentation: ImageAugmentation = .none, isCancelled: () -> Bool,
    progress: (TrainingProgress) -> Void,
    step: (TrainingBatch) throws(EngineError) -> StepOutcome,
    validate: () throws(EngineError) -> EpochEvaluation? = { nil },
    canKeep: (_ steps: Int) -> Bool = { _ in true },
    snapshot: () -> State
  ) throws(EngineError) -> EpochLoopResult<State> {
    guard epochs >= 1, batchSize >= 1 else {
      throw EngineError(
        .invalidData, "epochs and batch size must be at least 1, got \(epochs) and \(batchSize)")
    }
    guard training.count >= 1 else {
      throw EngineError(.invalidData, "\(training.path): there are no samples to train on")
    }
    var trained: [EpochEvaluation] = []
    var checked: [EpochEvaluation] = []
    var throughput: [Double] = []
    var best: (state: State, result: EpochEvaluation, epoch: Int)? = nil
    let batchCount = (training.count + batchSize - 1) / batchSize
    let runStart = ContinuousClock.now
    var steps = 0
    for epoch in 1...epochs {
      let order = training.shuffled(seed: seed &+ UInt64(epoch))
      var batches = order.batches(size: batchSize)
      var augmenter = augmentation.augmenter(seed: seed, epoch: epoch)
      let start = ContinuousClock.now
      var (lossSum, correct, seen, index) = (0.0, 0, 0, 0)
      while let batch = try batches.next() {
        if isCancelled() { throw EngineError(.cancelled, "\(activity) cancelled") }
        index += 1
        let outcome = try step(
          TrainingBatch(
            x: try augmenter.apply(batch.x), y: batch.y, positions: batch.positions, order: order,
            epoch: epoch, index: index, step: steps))
        steps += 1
        let n = batch.x.shape[0]
        lossSum += outcome.loss * Double(n)
        correct += outcome.correct
        seen += n
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let summary = EpochEvaluation(loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen))
        var validation: EpochEvaluation? = nil
        if index == batchCount {
          trained.append(summary)
          throughput.append(seconds > 0 ? Double(seen) / seconds : 0)
          if let result = try validate() {
            checked.append(result)
            validation = result
            if canKeep(steps), best.map({ result.isBetter(than: $0.result) }) ?? true {
              best = (snapshot(), result, epoch)
            }
          }
        }
        let elapsed = (ContinuousClock.now - runStart) / .seconds(1)
        let total = epochs * batchCount
        progress(
          TrainingProgress(
            epoch: epoch, batch: index, epochCount: epochs, batchCount: batchCount, loss: summary.loss,
            accuracy: summary.accuracy, samplesPerSecond: seconds > 0 ? Double(seen) / seconds : 0,
            secondsRemaining: elapsed * Double(total - steps) / Double(max(steps, 1)), validation: validation)
        )
      }
    }
    if let best {
      return EpochLoopResult(
        epochs: trained, validation: checked, samplesPerSecond: throughput, kept: best.state,
        keptEpoch: best.epoch)
    }
    return EpochLoopResult(
      epochs: trained, validation: checked, samplesPerSecond: throughput, kept: snapshot(), keptEpoch: epochs)
  }
}

extension EpochEvaluation {
  /// Higher accuracy wins; at equal accuracy, the lower loss.
  func isBetter(than other: EpochEvaluation) -> Bool {
    accuracy > other.accuracy || accuracy == other.accuracy && loss < other.loss
  }
}
