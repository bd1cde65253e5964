import Testing

@testable import JumpEngine

@Suite("Float buffer pool")
struct FloatBufferPoolTests {
  @Test("a taken array has the asked size, and a zeroed value is zero even when its array is reused")
  func sizesAndZeros() {
    FloatBufferPool.give([Float](repeating: 5, count: 13))
    #expect(FloatBufferPool.take(13).count == 13)
    FloatBufferPool.give([Float](repeating: 5, count: 13))
    #expect(TrainValue.zeros([13]).values == [Float](repeating: 0, count: 13))
    #expect(FloatBufferPool.take(0).isEmpty)
  }

  @Test("an array still shared when it was given back keeps its values when the reused copy is written")
  func sharedArraysAreCopiedOnWrite() {
    let shared = [Float](repeating: 3, count: 17)
    FloatBufferPool.give(shared)
    var reused = TrainValue.unfilled([17])
    reused.values.withMutablePointer { Kernels.fill($0, 1, 17) }
    #expect(shared == [Float](repeating: 3, count: 17))
  }

  @Test("the same seeded steps give identical weights when the second run reuses the first run's arrays")
  func reuseKeepsNumbersIdentical() throws {
    func run() throws -> [UInt32] {
      var random = SeededRandom(state: 5)
      let model = try GradientHarness.model(
        .conv(ConvAttributes(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], group: 2)),
        inputs: ["x", "w", "b"], inputShape: [4, 2, 9, 9],
        initializers: ["w": random.tensor([4, 1, 3, 3]), "b": random.tensor([4])])
      var graph = try TrainableGraph(model: model)
      var optimizer = Optimizer(.sgd(momentum: 0.9))
      for _ in 0..<3 {
        let pass = try graph.forward(random.tensor([4, 2, 9, 9]), mode: .training)
        let target = random.tensor(pass.outputs[0].shape)
        let loss = try Loss.meanSquaredError(prediction: pass.outputs[0], target: target)
        let gradients = try graph.backward(pass, outputGradients: [loss.gradient])
        optimizer.step(&graph, gradients: gradients, learningRate: 0.1)
      }
      return (graph.value(of: "w")?.asFloats() ?? []).map(\.bitPattern)
    }
    let first = try run()
    #expect(try run() == first)
  }
}
