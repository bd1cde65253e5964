import Foundation
import Testing

@testable import JumpEngine

/// The training service on the mlp fixture with a small synthetic labelled dataset.
@Suite("Training: the training loop")
struct TrainingLoopTests {
  /// 96 samples of `[1, 8, 8]` whose class (of 10) is set by which eighth of the image is brightest.
  static func dataset() throws -> Dataset {
    var random = SeededRandom(state: 11)
    let count = 96
    var x: [Float] = []
    var y: [Int64] = []
    for i in 0..<count {
      let label = i % 8
      var image = random.floats(64, in: 0...0.5)
      for j in 0..<8 { image[label * 8 + j] += 1 }
      x += image
      y.append(Int64(label))
    }
    let url = temporaryDirectory().appendingPathComponent("train.npz")
    try npz(
      [
        "x.npy": npyData(Tensor(shape: [count, 1, 8, 8], floats: x)),
        "y.npy": npyData(Tensor(shape: [count], int64s: y)),
      ],
      to: url)
    return try Dataset(source: DatasetSource.open(path: url.path))
  }

  static func mlp() throws -> Model {
    try ONNXImporter.load(contentsOf: RuntimeFixtures.models.appendingPathComponent("mlp.onnx"))
  }

  @Test("loss falls, and the same seed gives the same weights bit for bit")
  func trainsDeterministically() throws {
    let data = try Self.dataset()
    let configuration = TrainingConfiguration(
      epochs: 4, batchSize: 16, optimizer: .adam(), schedule: .constant(1e-2), seed: 5)
    var reports = 0
    let first = try TrainingLoop.run(
      try Self.mlp(), on: data, configuration: configuration, progress: { _ in reports += 1 })
    #expect(reports == 4 * 6)
    #expect(first.epochs.count == 4)
    #expect(first.epochs[3].loss < first.epochs[0].loss * 0.5, "losses \(first.epochs.map(\.loss))")
    let second = try TrainingLoop.run(try Self.mlp(), on: data, configuration: configuration)
    #expect(first.model.graph.initializers == second.model.graph.initializers)
    let other = TrainingConfiguration(epochs: 4, batchSize: 16, schedule: .constant(1e-2), seed: 6)
    let third = try TrainingLoop.run(try Self.mlp(), on: data, configuration: other)
    #expect(first.model.graph.initializers != third.model.graph.initializers)
  }

  @Test("a validation split keeps the best epoch")
  func validation() throws {
    let configuration = TrainingConfiguration(
      epochs: 3, batchSize: 16, optimizer: .sgd(momentum: 0.9), schedule: .constant(0.05), seed: 1,
      validationFraction: 0.25)
    let result = try TrainingLoop.run(try Self.mlp(), on: try Self.dataset(), configuration: configuration)
    #expect(result.validation.count == 3)
    let best = result.validation.indices.max { a, b in
      result.validation[b].isBetter(than: result.validation[a])
    }
    #expect(result.keptEpoch == (best ?? 0) + 1)
    #expect(result.validation.allSatisfy { $0.accuracy >= 0 && $0.accuracy <= 1 })
  }

  @Test("the validation split is a seeded draw: the same seed holds out the same samples")
  func seededValidationSplit() throws {
    let data = try Self.dataset()
    let configuration = TrainingConfiguration(epochs: 1, seed: 3, validationFraction: 0.25)
    let first = try TrainingLoop.validationSplit(data, configuration)
    let second = try TrainingLoop.validationSplit(data, configuration)
    let held = try #require(first.held)
    #expect(held.count == 24 && first.training.count == 72)
    #expect(held.sourceIndices(0..<24) == second.held?.sourceIndices(0..<24))
    #expect(held.sourceIndices(0..<24) != Array(72..<96), "not simply the last samples")
    let other = try TrainingLoop.validationSplit(
      data, TrainingConfiguration(epochs: 1, seed: 4, validationFraction: 0.25))
    #expect(other.held?.sourceIndices(0..<24) != held.sourceIndices(0..<24))
    #expect(throws: EngineError.self) {
      try TrainingLoop.validationSplit(data, TrainingConfiguration(epochs: 1, validationFraction: 1))
    }
  }

  @Test("cancellation between batches throws and the caller's model is unchanged")
  func cancellation() throws {
    let model = try Self.mlp()
    var polls = 0
    #expect(throws: EngineError(.cancelled, "training cancelled")) {
      _ = try TrainingLoop.run(
        model, on: try Self.dataset(), configuration: TrainingConfiguration(epochs: 2, batchSize: 16),
        isCancelled: {
          polls += 1
          return polls > 2
        })
    }
    #expect(model == (try Self.mlp()))
  }

  @Test("a diverging run (SGD at lr 1e30) stops naming the epoch and batch, the caller's model unchanged")
  func divergence() throws {
    let model = try Self.mlp()
    let configuration = TrainingConfiguration(
      epochs: 3, batchSize: 16, optimizer: .sgd(), schedule: .constant(1e30), seed: 2)
    let error = #expect(throws: EngineError.self) {
      _ = try TrainingLoop.run(model, on: try Self.dataset(), configuration: configuration)
    }
    let message = error?.message ?? ""
    #expect(message.contains(" became "), "\(message)")
    #expect(message.contains("in epoch 1, batch "), "\(message)")
    #expect(message.contains("training diverged and stopped, the model is unchanged"), "\(message)")
    #expect(model == (try Self.mlp()))
  }
}
