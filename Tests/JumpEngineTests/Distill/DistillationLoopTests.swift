import Foundation
import Testing

@testable import JumpEngine

/// A tiny distillation run: an mlp student learns a small cnn teacher's outputs on unlabelled data.
@Suite("Distill: the distillation loop")
struct DistillationLoopTests {
  /// 120 unlabelled `[1, 8, 8]` samples, each brightest in one of 4 quadrants.
  static func dataset(nanAt poisoned: Int? = nil) throws -> Dataset {
    var random = SeededRandom(state: 5)
    let count = 120
    var x: [Float] = []
    for i in 0..<count {
      var image = random.floats(64, in: 0...0.3)
      let quadrant = i % 4
      for r in 0..<4 {
        for c in 0..<4 { image[(r + 4 * (quadrant / 2)) * 8 + c + 4 * (quadrant % 2)] += 1 }
      }
      if i == poisoned { image[3] = .nan }
      x += image
    }
    let url = temporaryDirectory().appendingPathComponent("operational-\(poisoned ?? -1).npz")
    try npz(["x.npy": npyData(Tensor(shape: [count, 1, 8, 8], floats: x))], to: url)
    return try Dataset(source: DatasetSource.open(path: url.path))
  }

  /// A teacher that sums each quadrant: its top class is the bright quadrant.
  static func teacher() throws -> Model {
    var weights = [Float](repeating: 0, count: 4 * 64)
    for q in 0..<4 {
      for r in 0..<4 {
        for c in 0..<4 { weights[q * 64 + (r + 4 * (q / 2)) * 8 + c + 4 * (q % 2)] = 0.5 }
      }
    }
    let graph = Graph(
      name: "teacher",
      inputs: [ValueInfo(name: "x", shape: [.symbolic("batch"), .fixed(1), .fixed(8), .fixed(8)])],
      outputs: [ValueInfo(name: "y", shape: [])],
      nodes: [
        Node(name: "flat", op: .flatten(axis: 1), inputs: ["x"], outputs: ["f"]),
        Node(name: "fc", op: .gemm(GemmAttributes(transB: true)), inputs: ["f", "w"], outputs: ["y"]),
      ],
      initializers: ["w": Tensor(shape: [4, 64], floats: weights)], opset: 17)
    return try Model.resolving(graph, provenance: ModelProvenance(opset: 17))
  }

  static func distill(
    epochs: Int, nanAt poisoned: Int? = nil, augmentation: ImageAugmentation = .none
  ) throws -> DistillationResult {
    let data = try dataset(nanAt: poisoned)
    let teacherModel = try teacher()
    let teacher = try TeacherOutputs.compute(teacherModel, on: data, batchSize: 32)
    let student = try StudentArchitecture.mlp.build(
      sampleShape: [1, 8, 8], classes: 4, options: StudentOptions(hidden: [16]), seed: 1)
    let configuration = DistillationConfiguration(
      epochs: epochs, batchSize: 16, learningRate: 1e-2,
      objective: try DistillationObjective(temperature: 2, alpha: 1), seed: 9, augmentation: augmentation)
    return try DistillationLoop.run(
      student, on: data, teacher: teacher, teacherModel: teacherModel, configuration: configuration)
  }

  @Test("agreement with the teacher rises and the best epoch is kept")
  func agreementRises() throws {
    let result = try Self.distill(epochs: 6)
    #expect(result.heldOutCount == 24)
    #expect(result.epochs.count == 6)
    let best = result.epochs.map(\.agreement).max() ?? 0
    #expect(best > 0.9)
    #expect(result.epochs[result.keptEpoch - 1].agreement == best)
    #expect((result.epochs.last?.loss ?? 1) < (result.epochs.first?.loss ?? 0))
  }

  @Test("a seeded run gives the same student bit for bit")
  func deterministic() throws {
    let a = try Self.distill(epochs: 2)
    let b = try Self.distill(epochs: 2)
    #expect(a.model == b.model)
    #expect(a.epochs.map(\.loss) == b.epochs.map(\.loss))
  }

  @Test("a teacher without [N, classes] scores is refused as not a classifier")
  func notAClassifier() throws {
    let data = try Self.dataset()
    #expect(throws: EngineError.self) {
      try TeacherOutputs.compute(on: data, batchSize: 8, probabilities: false) { x in x }
    }
  }

  @Test("a NaN in the training part of the data stops the run with the epoch and batch named")
  func nanInputStops() throws {
    let error = #expect(throws: EngineError.self) { try Self.distill(epochs: 2, nanAt: 10) }
    let message = error?.message ?? ""
    #expect(message.contains("in epoch 1, batch "), "\(message)")
    #expect(message.contains("diverged"), "\(message)")
  }

  @Test("with augmentation the teacher reruns on the augmented batches, and a seeded run repeats")
  func augmented() throws {
    let flip = ImageAugmentation(crop: false, flip: true)
    let a = try Self.distill(epochs: 2, augmentation: flip)
    let b = try Self.distill(epochs: 2, augmentation: flip)
    #expect(a.model == b.model)
    #expect(a.model != (try Self.distill(epochs: 2)).model)
    // Mirrored quadrants are other classes: against cached rows the student would learn wrong targets.
    #expect((a.epochs.map(\.agreement).max() ?? 0) > 0.9, "\(a.epochs.map(\.agreement))")
    let data = try Self.dataset()
    let configuration = DistillationConfiguration(
      epochs: 1, batchSize: 16, objective: try DistillationObjective(temperature: 2, alpha: 1),
      augmentation: flip)
    #expect(throws: EngineError.self) {
      try DistillationLoop.run(
        try Self.teacher(), on: data, teacher: try TeacherOutputs.compute(try Self.teacher(), on: data),
        configuration: configuration)
    }
  }
}
