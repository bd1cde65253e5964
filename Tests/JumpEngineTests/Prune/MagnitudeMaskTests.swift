import Testing

@testable import JumpEngine

/// Magnitude masks: exact counts and thresholds, ties by position, global against per-layer ranking.
@Suite("Prune: magnitude masks and thresholds")
struct MagnitudeMaskTests {
  @Test("the smallest magnitudes go, exactly round(s × n) of them, ties by position")
  func exactThreshold() {
    let mask = MagnitudeMask.pruning(3, of: [0.5, -0.1, 0.3, -0.7, 0.2, 0.0])
    #expect(mask.keep == [1, 0, 1, 1, 0, 0])
    #expect(mask.prunedCount == 3)
    #expect(mask.threshold == 0.2)
    #expect(mask.sparsity == 0.5)
    let ties = MagnitudeMask.pruning(2, of: [0.1, -0.1, 0.1, 0.2])
    #expect(ties.keep == [0, 0, 1, 1])
    #expect(MagnitudeThresholds.prunedCount(0.5, of: 7) == 4)
    #expect(MagnitudeThresholds.prunedCount(0.3, of: 10) == 3)
    #expect(MagnitudeThresholds.prunedCount(0, of: 10) == 0)
  }

  @Test("applying a mask zeroes exactly the pruned weights")
  func apply() {
    var weights: [Float] = [0.5, -0.1, 0.3, -0.7]
    MagnitudeMask.pruning(2, of: weights).apply(to: &weights)
    #expect(weights == [0.5, 0, 0, -0.7])
  }

  @Test("global scope ranks all layers together; layer scope prunes each by the same fraction")
  func scopes() {
    let weights: [(name: String, values: [Float])] = [
      ("a", [1, 2, 3, 4]), ("b", [0.1, 0.2, 0.3, 20]),
    ]
    let global = MagnitudeThresholds.masks(weights, sparsity: 0.5, scope: .global)
    #expect(global["a"]?.keep == [0, 1, 1, 1])
    #expect(global["b"]?.keep == [0, 0, 0, 1])
    #expect(global["a"]?.threshold == 1)
    #expect(global["b"]?.threshold == 0.3)
    let layer = MagnitudeThresholds.masks(weights, sparsity: 0.5, scope: .layer)
    #expect(layer["a"]?.keep == [0, 0, 1, 1])
    #expect(layer["b"]?.keep == [0, 0, 1, 1])
    #expect(layer["a"]?.threshold == 2)
  }

  @Test("one-shot pruning reaches the sparsity over conv and gemm weights, leaving biases alone")
  func oneShot() throws {
    let model = try PruneTestModels.depthwiseChain()
    let (pruned, masks) = try UnstructuredPruning.prune(model, sparsity: 0.5, scope: .layer)
    let names = Set(PrunableWeight.all(in: model.graph).map(\.initializer))
    #expect(names == ["w1", "dw", "w3", "fc1_w", "fc2_w"])
    #expect(Set(masks.keys) == names)
    let report = SparsityReport(original: model, pruned: pruned)
    for layer in report.layers {
      #expect(layer.zeros == MagnitudeThresholds.prunedCount(0.5, of: layer.count), "\(layer.weight)")
    }
    #expect(pruned.graph.initializers["b1"] == model.graph.initializers["b1"])
    #expect(pruned.graph.initializers["bn1_gamma"] == model.graph.initializers["bn1_gamma"])
    #expect(report.after.parameterCount == report.before.parameterCount)
    #expect(
      report.nonzeroParameters == report.before.parameterCount - report.layers.reduce(0) { $0 + $1.zeros })
  }

  @Test("sparsity outside [0, 1) is refused", arguments: [-0.1, 1.0, 1.5, Double.nan])
  func badSparsity(sparsity: Double) throws {
    let model = try PruneTestModels.depthwiseChain()
    #expect(throws: EngineError.self) {
      try UnstructuredPruning.prune(model, sparsity: sparsity, scope: .global)
    }
    #expect(throws: EngineError.self) {
      try StructuredPruning.prune(model, fraction: sparsity, scope: .layer)
    }
  }
}
