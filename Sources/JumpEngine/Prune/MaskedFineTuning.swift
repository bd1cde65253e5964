/// When unstructured pruning removes its weights.
public enum PruningSchedule: String, Sendable, CaseIterable {
  /// All at once, before fine-tuning.
  case oneshot
  /// Gradually during fine-tuning, along Zhu and Gupta's cubic ramp (`PolynomialSparsitySchedule`).
  case polynomial
}

/// Fine-tuning of a magnitude-pruned model: the training loop with the masks re-applied after every
/// optimizer step, so pruned weights stay exactly zero however the optimizer moves them.
///
/// With a polynomial schedule the masks are recomputed from the current weights at each of the schedule's
/// update steps, at the sparsity the schedule gives for that step (weights pruned earlier are zero, so
/// they rank first and stay pruned unless the scope's ranking moves them).
public enum MaskedFineTuning {
  /// Trains `model` under `masks` (one-shot) or under masks grown along `schedule` (polynomial, in which
  /// case `masks` is ignored and `model` should be the unpruned one). Returns the training result, whose
  /// model carries the final masks, and those masks. With a validation split the best epoch is kept, but
  /// only among epochs at the final sparsity (a gradual schedule reaches it three quarters in).
  public static func run(
    _ model: Model, masks: [String: MagnitudeMask], schedule: PolynomialSparsitySchedule?,
    scope: PruningScope, on dataset: Dataset, configuration: TrainingConfiguration, threads: Int = 1,
    isCancelled: () -> Bool = { false }, progress: (TrainingProgress) -> Void = { _ in }
  ) throws(EngineError) -> (result: TrainingResult, masks: [String: MagnitudeMask]) {
    let names = PrunableWeight.all(in: model.graph).map(\.initializer)
    var current = masks
    let result = try TrainingLoop.run(
      model, on: dataset, configuration: configuration, threads: threads, isCancelled: isCancelled,
      progress: progress,
      afterStep: { graph, steps in
        if let schedule, schedule.updatesMask(at: steps) {
          let weights = names.map { (name: $0, values: graph.elements(of: $0) ?? []) }
          current = MagnitudeThresholds.masks(weights, sparsity: schedule.sparsity(at: steps), scope: scope)
        }
        for (name, mask) in current { graph.multiply(name, by: mask.keep) }
      },
      canKeep: { steps in schedule.map { $0.sparsity(at: steps) >= $0.final } ?? true })
    return (result, current)
  }

  /// The number of optimizer steps `epochs` passes over `samples` samples take at `batchSize`.
  public static func stepCount(samples: Int, batchSize: Int, epochs: Int) -> Int {
    epochs * ((samples + batchSize - 1) / max(batchSize, 1))
  }
}
