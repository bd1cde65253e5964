import Testing

@testable import JumpEngine

/// Residual Adds pruned jointly: every producer meeting at an Add loses the same channels, the consumers of
/// the sum shrink, and a group with a member that cannot shrink stays whole.
@Suite("Prune: residual groups")
struct ResidualGroupsTests {
  typealias M = PruneTestModels

  /// `model` with output channels `channels` of each producer weight (and bias, BatchNorm scale and shift)
  /// set to zero, so those channels are exactly zero wherever they meet.
  static func zeroingOutputs(_ model: Model, _ names: [String], channels: [Int]) throws -> Model {
    var zeroed = model
    for name in names where model.graph.initializers[name] != nil {
      zeroed = try M.zeroing(zeroed, name, axis: 0, channels: channels)
    }
    return zeroed
  }

  @Test("a chain of two Adds is one group: conv0, convB and convD share their channels")
  func chainGroup() throws {
    let dependencies = ChannelDependencies(try M.residualChain().graph)
    #expect(dependencies.layers.map(\.node) == ["conv0", "convA", "convC", "convOut"])
    let group = try #require(dependencies.layers.first)
    #expect(group.producers.map(\.node) == ["conv0", "convB", "convD"])
    #expect(group.channels == 6)
    #expect(group.depthwiseNodes.isEmpty)
    let cut = Set(group.slices.map { "\($0.initializer)@\($0.axis)" })
    #expect(
      cut
        == [
          "w0@0", "b0@0", "wB@0", "bB@0", "wD@0", "bD@0", "bnB_gamma@0", "bnB_beta@0", "bnB_mean@0",
          "bnB_var@0", "wA@1", "wC@1", "wOut@1",
        ])
    #expect(dependencies.skipped.map(\.node) == ["fc"])
  }

  @Test("channels zeroed in every producer of the chain are the ones removed, and outputs stay identical")
  func chainExactness() throws {
    let zeroedChannels = [1, 4]
    let model = try Self.zeroingOutputs(
      try M.residualChain(), ["w0", "b0", "wB", "bB", "bnB_gamma", "bnB_beta", "wD", "bD"],
      channels: zeroedChannels)
    let (_, removal) = try StructuredPruning.prune(model, fraction: 2.0 / 6.0, scope: .layer)
    for producer in ["conv0", "convB", "convD"] {
      #expect(removal.channels[producer] == zeroedChannels, "\(producer)")
      #expect(removal.channelCounts[producer] == 6, "\(producer)")
    }
    let pruned = try StructuredPruning.remove(["convB": zeroedChannels], from: model)
    let shapes = pruned.graph.initializers.mapValues(\.shape)
    #expect(shapes["w0"] == [4, 3, 3, 3])
    #expect(shapes["wB"] == [4, 10, 1, 1])
    #expect(shapes["bnB_var"] == [4])
    #expect(shapes["wD"] == [4, 8, 1, 1])
    #expect(shapes["wA"] == [10, 4, 1, 1])
    #expect(shapes["wC"] == [8, 4, 1, 1])
    #expect(shapes["wOut"] == [5, 4, 1, 1])
    #expect(pruned.graph.valueInfo["s2"]?.shape[1] == .fixed(4))
    let x = StructuredPruningTests.input([2, 3, 6, 6], seed: 13)
    let expected = try M.run(model, x)
    let actual = try M.run(pruned, x)
    #expect(expected.count == actual.count)
    #expect(StructuredPruningTests.relativeError(expected, actual) < 1e-5)
    #expect(pruned.summary.parameterCount < model.summary.parameterCount)
  }

  @Test("producers of one group given different channels are refused, the same channels accepted")
  func groupRequests() throws {
    let model = try M.residualChain()
    #expect(throws: EngineError.self) {
      try StructuredPruning.remove(["conv0": [1], "convD": [2]], from: model)
    }
    let pruned = try StructuredPruning.remove(["conv0": [2], "convD": [2], "convA": [0]], from: model)
    #expect(pruned.graph.initializers["wD"]?.shape == [5, 8, 1, 1])
    #expect(pruned.graph.initializers["wB"]?.shape == [5, 9, 1, 1])
  }

  @Test("an Add fed by the graph input keeps its group whole, with the reason listed")
  func unprunableMember() throws {
    let model = try M.inputResidual()
    let dependencies = ChannelDependencies(model.graph)
    #expect(dependencies.layers.map(\.node) == ["conv1"])
    let reason = try #require(dependencies.skipped.first { $0.node == "conv2" }?.reason)
    #expect(reason.contains("residual Add 'add'"))
    #expect(reason.contains("'add' adds 'x', which no prunable layer produces"))
    let (pruned, removal) = try StructuredPruning.prune(model, fraction: 0.5, scope: .global)
    #expect(removal.skipped.contains { $0.hasPrefix("conv2: ") })
    #expect(pruned.graph.initializers["w2"]?.shape == [4, 4, 1, 1])
    #expect(try M.run(pruned, StructuredPruningTests.input([1, 4, 5, 5], seed: 2)).count == 3)
  }

  @Test("mnv3block: stem and project lose the same channels; zeroed channels leave the outputs unchanged")
  func mnv3block() throws {
    let original = try QuantizeTestSupport.fixtureModel("mnv3block")
    let dependencies = ChannelDependencies(original.graph)
    let group = try #require(dependencies.layers.first { $0.node == "/stem/Conv" })
    #expect(group.producers.map(\.node) == ["/stem/Conv", "/project/Conv"])
    let zeroedChannels = [0, 5, 11]
    let model = try Self.zeroingOutputs(
      original, ["stem.weight", "stem.bias", "project.weight", "project.bias"], channels: zeroedChannels)
    let (_, removal) = try StructuredPruning.prune(model, fraction: 0.3, scope: .global)
    #expect(removal.channels["/stem/Conv"] == removal.channels["/project/Conv"])
    #expect(Set(zeroedChannels).isSubset(of: removal.channels["/stem/Conv"] ?? []))
    let pruned = try StructuredPruning.remove(["/project/Conv": zeroedChannels], from: model)
    #expect(pruned.graph.initializers["stem.weight"]?.shape.first == 13)
    #expect(pruned.graph.initializers["fc.weight"]?.shape.last == 13)
    let shape = [2] + original.graph.inputs[0].concreteShape().dropFirst()
    let x = StructuredPruningTests.input(shape, seed: 21)
    let expected = try M.run(model, x)
    let actual = try M.run(pruned, x)
    #expect(expected.count == actual.count)
    #expect(StructuredPruningTests.relativeError(expected, actual) < 1e-5)
    #expect(pruned.summary.totalMACs < model.summary.totalMACs)
  }
}
