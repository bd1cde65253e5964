import Testing

@testable import JumpEngine

/// The combined distillation loss: its value and its gradient against finite differences.
@Suite("Distill: the objective")
struct DistillationObjectiveTests {
  static let student = Tensor(shape: [2, 3], floats: [0.5, -1, 2, 1.5, 0.2, -0.3])
  static let teacher = Tensor(shape: [2, 3], floats: [1, 0, 3, -1, 2, 0.5])
  static let labels = Tensor(shape: [2], int64s: [2, 0])

  @Test("the gradient of alpha*T^2*KL + (1-alpha)*CE matches central differences")
  func gradient() throws {
    let objective = try DistillationObjective(temperature: 3, alpha: 0.7)
    let analytic = try objective.loss(student: Self.student, teacher: Self.teacher, labels: Self.labels)
    let base = Self.student.asFloats()
    let h: Float = 1e-2
    for i in 0..<base.count {
      var plus = base
      var minus = base
      plus[i] += h
      minus[i] -= h
      let up = try objective.loss(
        student: Tensor(shape: [2, 3], floats: plus), teacher: Self.teacher, labels: Self.labels
      ).value
      let down = try objective.loss(
        student: Tensor(shape: [2, 3], floats: minus), teacher: Self.teacher, labels: Self.labels
      ).value
      let numeric = (up - down) / Double(2 * h)
      #expect(abs(numeric - Double(analytic.gradient.asFloats()[i])) < 1e-3, "element \(i)")
    }
  }

  @Test("without labels only the soft term counts; alpha 0 leaves the hard term")
  func terms() throws {
    let soft = try Loss.distillation(student: Self.student, teacher: Self.teacher, temperature: 2)
    let hard = try Loss.crossEntropy(logits: Self.student, labels: Self.labels)
    let unlabelled = try DistillationObjective(temperature: 2, alpha: 0.3)
      .loss(student: Self.student, teacher: Self.teacher, labels: nil)
    #expect(unlabelled.value == soft.value)
    let hardOnly = try DistillationObjective(temperature: 2, alpha: 0)
      .loss(student: Self.student, teacher: Self.teacher, labels: Self.labels)
    #expect(abs(hardOnly.value - hard.value) < 1e-12)
  }

  @Test("temperature must be positive and alpha in [0, 1]")
  func badSettings() {
    #expect(throws: EngineError.self) { try DistillationObjective(temperature: 0, alpha: 1) }
    #expect(throws: EngineError.self) { try DistillationObjective(temperature: 2, alpha: 1.5) }
  }
}
