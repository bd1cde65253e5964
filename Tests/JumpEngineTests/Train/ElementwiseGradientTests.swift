import Testing

@testable import JumpEngine

/// Backward rules of the activations and the broadcasting arithmetic against central finite differences.
/// Inputs keep clear of the points where an activation's slope jumps, where a finite difference straddling
/// the kink would measure neither side.
@Suite("Training: elementwise gradients")
struct ElementwiseGradientTests {
  static let activations: [(Op, [Float])] = [
    (.relu, [0]), (.clip(min: 0, max: 6), [0, 6]), (.clip(min: -1, max: nil), [-1]),
    (.clip(min: nil, max: 0.5), [0.5]), (.hardSwish, [-3, 3]),
    (.hardSigmoid(alpha: 0.2, beta: 0.5), [-2.5, 2.5]),
    (.hardSigmoid(alpha: 1.0 / 6, beta: 0.5), [-3, 3]), (.sigmoid, []),
  ]

  @Test("activations", arguments: 0..<activations.count)
  func activation(index: Int) throws {
    let (op, kinks) = Self.activations[index]
    var random = SeededRandom(state: UInt64(400 + index))
    let shape = [2, 3, 4, 5]
    let model = try GradientHarness.model(op, inputs: ["x"], inputShape: shape)
    let input = random.tensor(shape, in: -7...7, avoiding: kinks, margin: 0.05)
    GradientHarness.expectSmall(try GradientHarness.errors(model, input: input), "\(op)")
  }

  static let broadcasts: [([Int], [Int])] = [
    ([2, 3, 4, 5], [2, 3, 4, 5]), ([2, 3, 4, 5], [3, 1, 1]), ([2, 3, 4, 5], [1]), ([2, 3, 4, 5], [5]),
    ([2, 3, 4, 5], [2, 1, 4, 1]), ([2, 3, 4, 5], []), ([2, 1, 5], [3, 1]),
  ]

  @Test(
    "Add, Sub, Mul, Div with broadcasting, either operand constant", arguments: [Op.add, .sub, .mul, .div])
  func binary(op: Op) throws {
    var random = SeededRandom(state: 500)
    for (shape, other) in Self.broadcasts {
      for constantFirst in [false, true] {
        // Divisors stay away from zero: magnitudes in [0.5, 1.5] with random signs.
        let divisor = op == .div
        let operand =
          divisor && !constantFirst
          ? random.tensor(other, in: -1.5...1.5, avoiding: [0], margin: 0.5) : random.tensor(other)
        let model = try GradientHarness.model(
          op, inputs: constantFirst ? ["c", "x"] : ["x", "c"], inputShape: shape, initializers: ["c": operand]
        )
        let input =
          divisor && constantFirst
          ? random.tensor(shape, in: -1.5...1.5, avoiding: [0], margin: 0.5) : random.tensor(shape)
        GradientHarness.expectSmall(
          try GradientHarness.errors(model, input: input, additional: ["c"], step: 5e-3),
          "\(op) \(constantFirst ? "\(other) op \(shape)" : "\(shape) op \(other)")")
      }
    }
  }
}
