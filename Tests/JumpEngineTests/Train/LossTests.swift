import Foundation
import Testing

@testable import JumpEngine

/// Losses: values against hand computations, gradients against central finite differences in `Double`.
@Suite("Training: losses")
struct LossTests {
  /// The largest relative difference between `loss`'s gradient and central differences of its value.
  static func gradientError(_ input: Tensor, _ loss: (Tensor) throws -> LossResult) throws -> Double {
    let analytic = try loss(input).gradient.asFloats()
    var numeric: [Double] = []
    let h: Float = 1e-2
    for i in 0..<input.count {
      var plus = input.asFloats()
      var minus = plus
      plus[i] += h
      minus[i] -= h
      let up = try loss(Tensor(shape: input.shape, floats: plus)).value
      let down = try loss(Tensor(shape: input.shape, floats: minus)).value
      numeric.append((up - down) / Double(2 * h))
    }
    return GradientHarness.relativeError(analytic.map { Double($0) }, numeric)
  }

  @Test("cross-entropy on logits: value and gradient")
  func crossEntropy() throws {
    let logits = Tensor(shape: [2, 3], floats: [1, 2, 3, 0, 0, 0])
    let labels = Tensor(shape: [2], int64s: [2, 0])
    let result = try Loss.crossEntropy(logits: logits, labels: labels)
    let first = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3
    let second = log(3.0)
    #expect(abs(result.value - (first + second) / 2) < 1e-9)
    var random = SeededRandom(state: 1)
    let error = try Self.gradientError(random.tensor([4, 5], in: -3...3)) {
      try Loss.crossEntropy(logits: $0, labels: Tensor(shape: [4], int64s: [0, 4, 2, 2]))
    }
    #expect(error < 1e-2, "relative error \(error)")
  }

  @Test("cross-entropy on probabilities: value and gradient")
  func crossEntropyProbabilities() throws {
    let p = Tensor(shape: [2, 2], floats: [0.25, 0.75, 0.5, 0.5])
    let result = try Loss.crossEntropy(probabilities: p, labels: Tensor(shape: [2], int64s: [1, 0]))
    #expect(abs(result.value - (-log(0.75) - log(0.5)) / 2) < 1e-7)
    let error = try Self.gradientError(Tensor(shape: [2, 3], floats: [0.2, 0.3, 0.5, 0.6, 0.3, 0.1])) {
      try Loss.crossEntropy(probabilities: $0, labels: Tensor(shape: [2], int64s: [2, 1]))
    }
    #expect(error < 1e-2, "relative error \(error)")
  }

  @Test("cross-entropy rejects bad labels")
  func badLabels() {
    let logits = Tensor(shape: [2, 3], floats: [1, 2, 3, 0, 0, 0])
    #expect(throws: EngineError.self) {
      try Loss.crossEntropy(logits: logits, labels: Tensor(shape: [2], int64s: [3, 0]))
    }
    #expect(throws: EngineError.self) {
      try Loss.crossEntropy(logits: logits, labels: Tensor(shape: [3], int64s: [0, 0, 0]))
    }
  }

  @Test("distillation: T^2 KL(teacher || student) at temperature T", arguments: [1.0, 4.0, 20.0])
  func distillation(temperature: Double) throws {
    var random = SeededRandom(state: 2)
    let teacher = random.tensor([3, 4], in: -4...4)
    let student = random.tensor([3, 4], in: -4...4)
    let result = try Loss.distillation(student: student, teacher: teacher, temperature: temperature)
    var expected = 0.0
    for i in 0..<3 {
      let t = Loss.softmax(teacher.asFloats()[(i * 4)..<(i * 4 + 4)], temperature: temperature)
      let s = Loss.softmax(student.asFloats()[(i * 4)..<(i * 4 + 4)], temperature: temperature)
      for j in 0..<4 { expected += t[j] * log(t[j] / s[j]) }
    }
    #expect(abs(result.value - temperature * temperature * expected / 3) < 1e-9)
    let same = try Loss.distillation(student: teacher, teacher: teacher, temperature: temperature)
    #expect(abs(same.value) < 1e-12)
    let error = try Self.gradientError(student) {
      try Loss.distillation(student: $0, teacher: teacher, temperature: temperature)
    }
    #expect(error < 1e-2, "relative error \(error)")
  }

  @Test("mean squared error: value and gradient")
  func meanSquaredError() throws {
    let result = try Loss.meanSquaredError(
      prediction: Tensor(shape: [2, 2], floats: [1, 2, 3, 4]),
      target: Tensor(shape: [2, 2], floats: [1, 0, 3, 1]))
    #expect(abs(result.value - (4 + 9) / 4) < 1e-12)
    #expect(result.gradient.floats == [0, 1, 0, 1.5])
    var random = SeededRandom(state: 3)
    let target = random.tensor([3, 5])
    let error = try Self.gradientError(random.tensor([3, 5])) {
      try Loss.meanSquaredError(prediction: $0, target: target)
    }
    #expect(error < 1e-2, "relative error \(error)")
  }
}
