import Testing

@testable import JumpEngine

/// Structured channel removal: the smaller model computes what the original computes when the removed
/// channels are ignored by their consumers.
@Suite("Prune: structured channel removal")
struct StructuredPruningTests {
  typealias M = PruneTestModels

  static func input(_ shape: [Int], seed: UInt64) -> Tensor {
    QuantizeTestSupport.tensor(shape, seed: seed, scale: 2)
  }

  /// max |a − b| / max |a|.
  static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    let scale = max(a.map(abs).max() ?? 1, 1e-12)
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity
  }

  @Test("the channel walk follows BN, activations, depthwise, flatten and hidden Gemms")
  func dependencies() throws {
    let dependencies = ChannelDependencies(try M.depthwiseChain().graph)
    #expect(dependencies.layers.map(\.node) == ["conv1", "conv3", "fc1"])
    let conv1 = try #require(dependencies.layers.first)
    #expect(conv1.depthwiseNodes == ["dwconv"])
    #expect(
      Set(conv1.slices.map(\.initializer))
        == Set(["w1", "b1", "dw", "dw_b", "w3"]).union(
          ["bn1", "bn2"].flatMap { p in
            ["gamma", "beta", "mean", "var"].map { "\(p)_\($0)" }
          }))
    #expect(
      dependencies.layers[1].slices.contains { $0.initializer == "fc1_w" && $0.axis == 0 && $0.inner == 64 })
    #expect(dependencies.layers[2].outputAxis == 1)
    #expect(dependencies.skipped.map(\.node) == ["fc2"])
    #expect(dependencies.skipped.first?.reason.contains("graph output") == true)
  }

  @Test("conv → BN → Relu → depthwise → conv → flatten → Gemm → Gemm: same outputs, smaller shapes")
  func depthwiseChain() throws {
    let model = try M.depthwiseChain()
    let pruned = try StructuredPruning.remove(
      ["conv1": [1, 4, 6], "conv3": [2], "fc1": [0, 7]], from: model)
    var reference = try M.zeroing(model, "w3", axis: 1, channels: [1, 4, 6])
    reference = try M.zeroing(reference, "fc1_w", axis: 0, channels: [2], inner: 64)
    reference = try M.zeroing(reference, "fc2_w", axis: 1, channels: [0, 7])
    let x = Self.input([3, 3, 8, 8], seed: 5)
    let expected = try M.run(reference, x)
    let actual = try M.run(pruned, x)
    #expect(expected.count == actual.count)
    #expect(Self.relativeError(expected, actual) < 1e-5)
    let shapes = pruned.graph.initializers.mapValues(\.shape)
    #expect(shapes["w1"] == [5, 3, 3, 3])
    #expect(shapes["b1"] == [5])
    #expect(shapes["bn1_var"] == [5])
    #expect(shapes["dw"] == [5, 1, 3, 3])
    #expect(shapes["bn2_gamma"] == [5])
    #expect(shapes["w3"] == [5, 5, 1, 1])
    #expect(shapes["fc1_w"] == [320, 8])
    #expect(shapes["fc1_b"] == [8])
    #expect(shapes["fc2_w"] == [4, 8])
    let dw = try #require(pruned.graph.nodes.first { $0.name == "dwconv" })
    #expect(dw.op == .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1], group: 5)))
    #expect(pruned.graph.valueInfo["c1"]?.shape.last == .fixed(8))
    #expect(pruned.graph.valueInfo["c1"]?.shape[1] == .fixed(5))
    #expect(pruned.summary.parameterCount < model.summary.parameterCount)
    #expect(pruned.summary.totalMACs < model.summary.totalMACs)
  }

  @Test("a residual block: the Add's producers shrink together, the expansion inside the branch on its own")
  func residual() throws {
    let model = try M.residual()
    let dependencies = ChannelDependencies(model.graph)
    #expect(dependencies.layers.map(\.node) == ["conv0", "conv1"])
    #expect(dependencies.layers.first?.producers.map(\.node) == ["conv0", "conv2"])
    #expect(dependencies.skipped.map(\.node) == ["fc"])
    let pruned = try StructuredPruning.remove(["conv1": [0, 3, 5]], from: model)
    let reference = try M.zeroing(model, "w2", axis: 1, channels: [0, 3, 5])
    let x = Self.input([2, 4, 6, 6], seed: 9)
    #expect(Self.relativeError(try M.run(reference, x), try M.run(pruned, x)) < 1e-5)
    #expect(pruned.graph.initializers["w1"]?.shape == [5, 4, 1, 1])
    #expect(pruned.graph.initializers["dw"]?.shape == [5, 1, 3, 3])
    #expect(pruned.graph.initializers["w2"]?.shape == [4, 5, 1, 1])
    #expect(pruned.graph.initializers["w0"]?.shape == [4, 4, 1, 1])
    let joint = try StructuredPruning.remove(["conv2": [1, 2]], from: model)
    #expect(joint.graph.initializers["w0"]?.shape == [2, 4, 1, 1])
    #expect(joint.graph.initializers["w1"]?.shape == [8, 2, 1, 1])
    #expect(joint.graph.initializers["w2"]?.shape == [2, 8, 1, 1])
    #expect(joint.graph.initializers["b2"]?.shape == [2])
    #expect(joint.graph.initializers["fc_w"]?.shape == [3, 2])
    #expect(try M.run(joint, x).count == 6)
    #expect(throws: EngineError.self) { try StructuredPruning.remove(["fc": [0]], from: model) }
    #expect(throws: EngineError.self) { try StructuredPruning.remove(["conv1": Array(0..<8)], from: model) }
    #expect(throws: EngineError.self) { try StructuredPruning.remove(["conv1": [8]], from: model) }
  }

  @Test(
    "scope=layer removes each layer's lowest-L1 channels; scope=global the lowest relative to their layer's mean"
  )
  func ranking() throws {
    let model = try M.depthwiseChain()
    let dependencies = ChannelDependencies(model.graph)
    let (_, layer) = try StructuredPruning.prune(model, fraction: 0.25, scope: .layer)
    for entry in dependencies.layers {
      let norms = StructuredPruning.channelNorms(entry, in: model.graph)
      let count = MagnitudeThresholds.prunedCount(0.25, of: entry.channels)
      let lowest = norms.indices.sorted { norms[$0] < norms[$1] }.prefix(count).sorted()
      #expect(layer.channels[entry.node] ?? [] == Array(lowest), "\(entry.node)")
    }
    let (pruned, global) = try StructuredPruning.prune(model, fraction: 0.3, scope: .global)
    let total = dependencies.layers.reduce(0) { $0 + $1.channels }
    #expect(
      global.channels.values.reduce(0) { $0 + $1.count } == MagnitudeThresholds.prunedCount(0.3, of: total))
    #expect(global.channelCounts == ["conv1": 8, "conv3": 6, "fc1": 10])
    let x = Self.input([2, 3, 8, 8], seed: 3)
    #expect(try M.run(pruned, x).count == 8)
  }
}
