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

  /// Creates a configuration.
  public init(
    epochs: Int, batchSize: Int = 32, learningRate: Double = 3e-3, objective: DistillationObjective,
    seed: UInt64 = 0, heldOutFraction: Double = 0.2
  ) {
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
/// agreement with the teacher there picks the epoch to keep. `isCancelled` is polled between batches.
public enum DistillationLoop {
  /// Distills `student` on `dataset` against `teacher` (computed on the same dataset), with optional class
  /// `labels` by source index for the hard term.
  public static func run(
    _ student: Model, on dataset: Dataset, teacher: TeacherOutputs, labels: [Int64]? = nil,
    configuration: DistillationConfiguration, threads: Int = 1, isCancelled: () -> Bool = { false },
    progress: (DistillationEpoch) -> Void = { _ in }
  ) throws(EngineError) -> DistillationResult {
    guard configuration.epochs >= 1, configuration.batchSize >= 1 else {
      throw EngineError(.invalidData, "epochs and batch size must be at least 1")
    }
    let (training, held) = try dataset.split(1 - configuration.heldOutFraction)
    var graph = try TrainableGraph(model: student)
    graph.threads = threads
    // The arrays kept for reuse between steps go back to the system once the run is over.
    defer { FloatBufferPool.drain() }
    var optimizer = Optimizer(.adam())
    let batchesPerEpoch = (training.count + configuration.batchSize - 1) / configuration.batchSize
    let schedule = LearningRateSchedule.cosine(
      rate: configuration.learningRate, warmup: 0, total: batchesPerEpoch * configuration.epochs)
    var epochs: [DistillationEpoch] = []
    var best: (graph: TrainableGraph, agreement: Double, loss: Double, epoch: Int)? = nil
    var step = 0
    for epoch in 1...configuration.epochs {
      let order = training.shuffled(seed: configuration.seed &+ UInt64(epoch))
      var batches = order.batches(size: configuration.batchSize)
      let start = ContinuousClock.now
      var (lossSum, seen) = (0.0, 0)
      while let batch = try batches.next() {
        if isCancelled() { throw EngineError(.cancelled, "distillation cancelled") }
        let targets = try teacher.rows(batch.positions, of: order)
        let hard = labels.map { all in
          Tensor(shape: [batch.x.shape[0]], int64s: order.sourceIndices(batch.positions).map { all[$0] })
        }
        let pass = try graph.forward(batch.x, mode: .training)
        let loss = try configuration.objective.loss(student: pass.outputs[0], teacher: targets, labels: hard)
        guard loss.value.isFinite else {
          throw EngineError(
            .invalidData, "the loss became \(loss.value) in epoch \(epoch); lower the learning rate")
        }
        let gradients = try graph.backward(pass, outputGradients: [loss.gradient])
        graph.updateRunningStatistics(from: pass)
        optimizer.step(&graph, gradients: gradients, learningRate: Float(schedule.rate(at: step)))
        step += 1
        lossSum += loss.value * Double(batch.x.shape[0])
        seen += batch.x.shape[0]
      }
      let seconds = (ContinuousClock.now - start) / .seconds(1)
      let check = try agreement(
        graph, on: held, teacher: teacher, configuration: configuration, isCancelled: isCancelled)
      let summary = DistillationEpoch(
        epoch: epoch, loss: lossSum / Double(max(seen, 1)), agreement: check.agreement,
        heldOutLoss: check.loss, samplesPerSecond: seconds > 0 ? Double(seen) / seconds : 0)
      epochs.append(summary)
      if best == nil || check.agreement > (best?.agreement ?? 0)
        || check.agreement == best?.agreement && check.loss < (best?.loss ?? .infinity)
      {
        best = (graph, check.agreement, check.loss, epoch)
      }
      progress(summary)
    }
    let kept = best ?? (graph, 0, 0, configuration.epochs)
    return DistillationResult(
      model: kept.graph.model, epochs: epochs, keptEpoch: kept.epoch, trainingCount: training.count,
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
