import Foundation
import Testing

@testable import JumpEngine

/// Optimizers and schedules on one-parameter problems whose updates are computed by hand.
@Suite("Training: optimizers and schedules")
struct OptimizerTests {
  /// A model `y = x * w` (MatMul with a 1 x 1 weight `w`), its graph, and gradients `g` for `w`.
  static func problem(w: Float) throws -> TrainableGraph {
    let graph = Graph(
      name: "p", inputs: [ValueInfo(name: "x", fixedShape: [1, 1])],
      outputs: [ValueInfo(name: "y", shape: [])],
      nodes: [Node(name: "mm", op: .matMul, inputs: ["x", "w"], outputs: ["y"])],
      initializers: ["w": Tensor(shape: [1, 1], floats: [w])], opset: 17)
    return try TrainableGraph(model: try Model.resolving(graph, provenance: ModelProvenance(opset: 17)))
  }

  /// The gradient of `w` for `loss = g * y` at `x = 1`, which is `g`.
  static func gradient(_ graph: TrainableGraph, _ g: Float) throws -> Gradients {
    let pass = try graph.forward(Tensor(shape: [1, 1], floats: [1]), mode: .training)
    return try graph.backward(pass, outputGradients: [Tensor(shape: [1, 1], floats: [g])])
  }

  static func weight(_ graph: TrainableGraph) -> Float { graph.value(of: "w")?.floats?[0] ?? .nan }

  @Test("SGD with momentum, Nesterov and weight decay follows PyTorch's update")
  func sgd() throws {
    for nesterov in [false, true] {
      var graph = try Self.problem(w: 1)
      var optimizer = Optimizer(.sgd(momentum: 0.9, nesterov: nesterov), weightDecay: 0.1)
      var w: Float = 1
      var buffer: Float = 0
      for (step, g) in [Float(0.5), -0.25, 1].enumerated() {
        optimizer.step(&graph, gradients: try Self.gradient(graph, g), learningRate: 0.1)
        let d = g + 0.1 * w
        buffer = step == 0 ? d : 0.9 * buffer + d
        w -= 0.1 * (nesterov ? d + 0.9 * buffer : buffer)
        #expect(abs(Self.weight(graph) - w) < 1e-6)
      }
    }
    var plain = try Self.problem(w: 2)
    var optimizer = Optimizer(.sgd())
    optimizer.step(&plain, gradients: try Self.gradient(plain, 3), learningRate: 0.5)
    #expect(Self.weight(plain) == 0.5)
  }

  @Test("one step of Adam moves each weight by the learning rate against the gradient's sign")
  func adamFirstStep() throws {
    var graph = try Self.problem(w: 1)
    var optimizer = Optimizer(.adam())
    optimizer.step(&graph, gradients: try Self.gradient(graph, 0.3), learningRate: 0.01)
    // m̂ = g, v̂ = g², so the step is lr * g / (|g| + eps).
    #expect(abs(Self.weight(graph) - (1 - 0.01 * 0.3 / (0.3 + 1e-8))) < 1e-7)
  }

  @Test("Adam and AdamW over two steps, by hand")
  func adamTwoSteps() throws {
    for decoupled in [false, true] {
      var graph = try Self.problem(w: 1)
      var optimizer = Optimizer(decoupled ? .adamW() : .adam(), weightDecay: 0.01)
      var (w, m, v) = (1.0, 0.0, 0.0)
      for (t, g0) in [0.5, -0.2].enumerated() {
        optimizer.step(&graph, gradients: try Self.gradient(graph, Float(g0)), learningRate: 0.1)
        var g = g0
        if decoupled { w *= 1 - 0.1 * 0.01 } else { g += 0.01 * w }
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        let mHat = m / (1 - pow(0.9, Double(t + 1)))
        let vHat = v / (1 - pow(0.999, Double(t + 1)))
        w -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
        #expect(abs(Double(Self.weight(graph)) - w) < 1e-5, "step \(t + 1) decoupled \(decoupled)")
      }
    }
  }

  @Test("gradient clipping by global norm")
  func clipping() throws {
    var gradients = Gradients(values: ["a": [3, 0], "b": [4]], shapes: ["a": [2], "b": [1]], input: nil)
    #expect(abs(gradients.globalNorm - 5) < 1e-12)
    let before = gradients.clip(globalNorm: 1)
    #expect(abs(before - 5) < 1e-12)
    #expect(abs(gradients.globalNorm - 1) < 1e-5)
    #expect(abs((gradients["a"]?.floats?[0] ?? 0) - 0.6) < 1e-5)
    gradients.clip(globalNorm: 10)
    #expect(abs(gradients.globalNorm - 1) < 1e-5)
  }

  @Test("learning-rate schedules")
  func schedules() {
    #expect(LearningRateSchedule.constant(0.1).rate(at: 1000) == 0.1)
    let step = LearningRateSchedule.step(rate: 1, every: 10, gamma: 0.5)
    #expect(step.rate(at: 9) == 1)
    #expect(step.rate(at: 10) == 0.5)
    #expect(step.rate(at: 25) == 0.25)
    let cosine = LearningRateSchedule.cosine(rate: 1, warmup: 4, total: 14, minimum: 0.1)
    #expect(cosine.rate(at: 0) == 0.25)
    #expect(cosine.rate(at: 3) == 1)
    #expect(abs(cosine.rate(at: 4) - 1) < 1e-12)
    #expect(abs(cosine.rate(at: 9) - 0.55) < 1e-12)
    #expect(abs(cosine.rate(at: 14) - 0.1) < 1e-12)
    #expect(abs(cosine.rate(at: 100) - 0.1) < 1e-12)
  }
}
