import Foundation

/// What a distillation run does: epochs, batches, Adam's learning rate, the objective and the held-out slice.
public struct DistillationConfiguration: Sendable {
  /// Passes over the training part of the data.
  public var epochs: Int
  /// Samples per optimizer step.
  public var batchSize: Int
  /// Adam's peak learning rate; it follows a cosine decay to zero over the run.
  public var learningRate: Double
  /// The loss.
  public var objective: DistillationObjective
  /// Seeds the per-epoch shuffles (epoch `e` shuffles with `seed + e`).
  public var seed: UInt64
  /// The fraction of the samples (the last ones, before any shuffle) held out to measure agreement.
  public var heldOutFraction: Double
  /// Random crops and flips of the training batches; the teacher then runs on every augmented batch.
  public var augmentation: ImageAugmentation

  /// Creates a configuration.
  public init(
    epochs: Int, batchSize: Int = 32, learningRate: Double = 3e-3, objective: DistillationObjective,
    seed: UInt64 = 0, heldOutFraction: Double = 0.2, augmentation: ImageAugmentation = .none
  ) {
    self.augmentation = augmentation
    self.epochs = epochs
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.objective = objective
    self.seed = seed
    self.heldOutFraction = heldOutFraction
  }
}

/// One epoch of a distillation run.
public struct DistillationEpoch: Sendable, Equatable {
  /// The epoch, from 1.
  public let epoch: Int
  /// The mean training loss.
  public let loss: Double
  /// The fraction of held-out samples where the student's top class is the teacher's.
  public let agreement: Double
  /// The mean soft (KL) loss on the held-out samples at temperature T.
  public let heldOutLoss: Double
  /// Training samples per second.
  public let samplesPerSecond: Double
}

/// The outcome of a distillation run.
public struct DistillationResult: Sendable {
  /// The student with its best epoch's weights (highest held-out agreement, then lowest held-out loss).
  public let model: Model
  /// Every epoch.
  public let epochs: [DistillationEpoch]
  /// The epoch `model` holds.
  public let keptEpoch: Int
  /// Samples trained on and held out.
  public let trainingCount: Int, heldOutCount: Int
}

/// Trains a student on a teacher's cached outputs (knowledge distillation).
///
/// Deterministic for a given student, data, teacher outputs, configuration and thread count. The last
/// `heldOutFraction` of the data never trains; after every epoch the student's inference-mode top-1
/// agreement with the teacher there picks the epoch to keep. The loop is `EpochLoop`'s; its progress
/// reports the training agreement with the teacher as accuracy, and the held-out agreement and soft loss
/// as the validation. `isCancelled` is polled between batches.
public enum DistillationLoop {
  /// Distills `student` on `dataset` against `teacher` (computed on the same dataset), with optional class
  /// `labels` by source index for the hard term.
  ///
  /// With augmentation the cached rows do not describe the augmented inputs, so `teacherModel` (required
  /// then) runs on every training batch; the held-out agreement still reads the cached rows.
  public static func run(
    _ student: Model, on dataset: Dataset, teacher: TeacherOutputs, teacherModel: Model? = nil,
    labels: [Int64]? = nil, configuration: DistillationConfiguration, threads: Int = 1,
    isCancelled: () -> Bool = { false },
    progress: (TrainingProgress) -> Void = { _ in }
  ) throws(EngineError) -> DistillationResult {
    let (training, held) = try dataset.split(1 - configuration.heldOutFraction)
    var liveTeacher: ((Tensor) throws(EngineError) -> Tensor)? = nil
    if configuration.augmentation.isEnabled {
      guard let teacherModel else {
        throw EngineError(.invalidData, "distillation with augmentation needs the teacher model to rerun")
      }
      liveTeacher = try TeacherOutputs.live(
        teacherModel, batchSize: configuration.batchSize, threads: threads)
    }
    var graph = try TrainableGraph(model: student)
    graph.threads = threads
    // The arrays kept for reuse between steps go back to the system once the run is over.
    defer { FloatBufferPool.drain() }
    var optimizer = Optimizer(.adam())
    let batchesPerEpoch = (training.count + configuration.batchSize - 1) / max(configuration.batchSize, 1)
    let schedule = LearningRateSchedule.cosine(
      rate: configuration.learningRate, warmup: 0, total: batchesPerEpoch * configuration.epochs)
    let run = try EpochLoop.run(
      training, epochs: configuration.epochs, batchSize: configuration.batchSize, seed: configuration.seed,
      activity: "distillation", augmentation: configuration.augmentation, isCancelled: isCancelled,
      progress: progress,
      step: { (batch) throws(EngineError) -> StepOutcome in
        let targets: Tensor
        if let liveTeacher {
          targets = try liveTeacher(batch.x)
        } else {
          targets = try teacher.rows(batch.positions, of: batch.order)
        }
        let hard = labels.map { all in
          Tensor(shape: [batch.count], int64s: batch.order.sourceIndices(batch.positions).map { all[$0] })
        }
        let pass = try graph.forward(batch.x, mode: .training)
        let loss = try configuration.objective.loss(student: pass.outputs[0], teacher: targets, labels: hard)
        try batch.checkFinite(loss.value)
        let gradients = try graph.backward(pass, outputGradients: [loss.gradient])
        try batch.checkFinite(gradients)
        graph.updateRunningStatistics(from: pass)
        optimizer.step(&graph, gradients: gradients, learningRate: Float(schedule.rate(at: batch.step)))
        return StepOutcome(loss: loss.value, correct: agreeingRows(pass.outputs[0], targets))
      },
      validate: { () throws(EngineError) -> EpochEvaluation? in
        let check = try agreement(
          graph, on: held, teacher: teacher, configuration: configuration, isCancelled: isCancelled)
        return EpochEvaluation(loss: check.loss, accuracy: check.agreement)
      },
      snapshot: { graph })
    let epochs = run.epochs.indices.map { index in
      DistillationEpoch(
        epoch: index + 1, loss: run.epochs[index].loss, agreement: run.validation[index].accuracy,
        heldOutLoss: run.validation[index].loss, samplesPerSecond: run.samplesPerSecond[index])
    }
    return DistillationResult(
      model: run.kept.model, epochs: epochs, keptEpoch: run.keptEpoch, trainingCount: training.count,
      heldOutCount: held.count)
  }

  /// Inference-mode top-1 agreement with the teacher and the mean soft loss on `held`.
  static func agreement(
    _ graph: TrainableGraph, on held: Dataset, teacher: TeacherOutputs,
    configuration: DistillationConfiguration, isCancelled: () -> Bool
  ) throws(EngineError) -> (agreement: Double, loss: Double) {
    var batches = held.batches(size: configuration.batchSize)
    var (agreeing, seen, lossSum) = (0, 0, 0.0)
    while let batch = try batches.next() {
      if isCancelled() { throw EngineError(.cancelled, "distillation cancelled") }
      let targets = try teacher.rows(batch.positions, of: held)
      let output = try graph.forward(batch.x, mode: .inference).outputs[0]
      let soft = try Loss.distillation(
        student: output, teacher: targets, temperature: configuration.objective.temperature)
      let n = batch.x.shape[0]
      lossSum += soft.value * Double(n)
      agreeing += Self.agreeingRows(output, targets)
      seen += n
    }
    return (Double(agreeing) / Double(max(seen, 1)), lossSum / Double(max(seen, 1)))
  }

  /// How many rows of two `[N, K]` score tensors have their largest value at the same index.
  public static func agreeingRows(_ a: Tensor, _ b: Tensor) -> Int {
    guard a.shape == b.shape, a.rank == 2 else { return 0 }
    let k = a.shape[1]
    let x = a.floats ?? a.asFloats()
    let y = b.floats ?? b.asFloats()
    var count = 0
    for i in 0..<a.shape[0] {
      var (bestX, bestY) = (0, 0)
      for j in 1..<k {
        if x[i * k + j] > x[i * k + bestX] { bestX = j }
        if y[i * k + j] > y[i * k + bestY] { bestY = j }
      }
      if bestX == bestY { count += 1 }
    }
    return count
  }
}
