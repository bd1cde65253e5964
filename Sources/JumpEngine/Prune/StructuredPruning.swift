/// Structured channel pruning (Li et al., arXiv:1608.08710; REFERENCES §5): whole output channels of
/// convolutions (and hidden Gemm units) ranked by the L1 norm of their filters are removed, and every tensor
/// indexed by them downstream shrinks with them (`ChannelDependencies`), giving a smaller dense model.
///
/// **Ranking.** With `scope=layer` each prunable layer loses `round(fraction × channels)` of its lowest-L1
/// channels. With `scope=global` channels of all prunable layers compete on their L1 norm relative to the
/// mean L1 norm of their layer, and the `round(fraction × all channels)` lowest go: a layer whose channels
/// are all alike loses few, a layer with many weak channels loses many. (Raw norms, or norms per weight,
/// do not compare across layers: scales differ by layer, more so after BatchNorm folding, and on the
/// sample teacher they empty one layer down to a single channel.) Either way every layer keeps at least one channel, and ties
/// go by layer order, then channel index.
///
/// **Residual groups.** The layers whose outputs meet at residual Adds form one ranked layer whose channel
/// norm is the sum of its producers' L1 norms; the chosen indices leave every producer at once.
public enum StructuredPruning {
  /// What was removed.
  public struct Removal: Sendable, Equatable {
    /// Removed channel indices (ascending) by producing node name; the producers of a residual group are
    /// each listed, with the same indices.
    public var channels: [String: [Int]]
    /// Channels before removal, by producing node name, for the prunable layers.
    public var channelCounts: [String: Int]
    /// Layers left whole, with why.
    public var skipped: [String]
  }

  /// `model` with `fraction` of the channels of its prunable layers removed.
  ///
  /// Throws `invalidData` for a fraction outside [0, 1) and `invalidModel` when no layer can be pruned.
  public static func prune(
    _ model: Model, fraction: Double, scope: PruningScope
  ) throws(EngineError) -> (model: Model, removal: Removal) {
    try UnstructuredPruning.checkSparsity(fraction)
    let dependencies = ChannelDependencies(model.graph)
    guard !dependencies.layers.isEmpty else {
      let why = dependencies.skipped.first.map { ": '\($0.node)' \($0.reason)" } ?? ""
      throw EngineError(.invalidModel, "no layer of the model has output channels that can be removed\(why)")
    }
    let chosen = choose(dependencies.layers, fraction: fraction, scope: scope, graph: model.graph)
    let pruned = try remove(chosen, dependencies: dependencies, from: model)
    var byProducer: [String: [Int]] = [:]
    var channelCounts: [String: Int] = [:]
    for layer in dependencies.layers {
      for producer in layer.producers {
        channelCounts[producer.node] = layer.channels
        if let removed = chosen[layer.node] { byProducer[producer.node] = removed }
      }
    }
    let removal = Removal(
      channels: byProducer, channelCounts: channelCounts,
      skipped: dependencies.skipped.map { "\($0.node): \($0.reason)" })
    return (pruned, removal)
  }

  /// The L1 norm of each output channel of a layer's weight, summed over the producers of a residual group.
  public static func channelNorms(_ layer: ChannelDependencies.Layer, in graph: Graph) -> [Double] {
    var norms = [Double](repeating: 0, count: layer.channels)
    for producer in layer.producers {
      guard let weight = graph.initializers[producer.weight] else { continue }
      let values = weight.asFloats()
      let axis = producer.outputAxis
      let outer = weight.shape[..<axis].reduce(1, *)
      let after = weight.shape[(axis + 1)...].reduce(1, *)
      guard weight.shape[axis] == layer.channels else { continue }
      values.withUnsafeBufferPointer { w in
        for o in 0..<outer {
          for c in 0..<layer.channels {
            let start = (o * layer.channels + c) * after
            var sum: Float = 0
            for i in start..<(start + after) { sum += abs(w[i]) }
            norms[c] += Double(sum)
          }
        }
      }
    }
    return norms
  }

  /// The channels to remove, by layer.
  static func choose(
    _ layers: [ChannelDependencies.Layer], fraction: Double, scope: PruningScope, graph: Graph
  ) -> [String: [Int]] {
    var chosen: [String: [Int]] = [:]
    switch scope {
    case .layer:
      for layer in layers {
        let norms = channelNorms(layer, in: graph)
        let count = min(MagnitudeThresholds.prunedCount(fraction, of: layer.channels), layer.channels - 1)
        let order = norms.indices.sorted { norms[$0] != norms[$1] ? norms[$0] < norms[$1] : $0 < $1 }
        chosen[layer.node] = Array(order.prefix(count)).sorted()
      }
    case .global:
      var candidates: [(score: Double, layer: Int, channel: Int)] = []
      for (index, layer) in layers.enumerated() {
        let norms = channelNorms(layer, in: graph)
        let mean = norms.reduce(0, +) / Double(max(norms.count, 1))
        for (channel, norm) in norms.enumerated() {
          candidates.append((mean > 0 ? norm / mean : 0, index, channel))
        }
      }
      candidates.sort {
        ($0.score, $0.layer, $0.channel) < ($1.score, $1.layer, $1.channel)
      }
      var remaining = layers.map(\.channels)
      var budget = MagnitudeThresholds.prunedCount(fraction, of: candidates.count)
      for candidate in candidates where budget > 0 && remaining[candidate.layer] > 1 {
        remaining[candidate.layer] -= 1
        chosen[layers[candidate.layer].node, default: []].append(candidate.channel)
        budget -= 1
      }
      for key in chosen.keys { chosen[key]?.sort() }
    }
    return chosen.filter { !$0.value.isEmpty }
  }

  /// `model` with the given output channels of its prunable layers removed and the graph rewritten.
  ///
  /// Throws `invalidData` naming the node when a layer is not prunable, a channel index is out of range,
  /// or every channel of a layer would go.
  public static func remove(
    _ channels: [String: [Int]], from model: Model
  ) throws(EngineError) -> Model {
    try remove(channels, dependencies: ChannelDependencies(model.graph), from: model)
  }

  static func remove(
    _ channels: [String: [Int]], dependencies: ChannelDependencies, from model: Model
  ) throws(EngineError) -> Model {
    var graph = model.graph
    var layers: [String: ChannelDependencies.Layer] = [:]
    for layer in dependencies.layers { for producer in layer.producers { layers[producer.node] = layer } }
    // One entry per residual group: its producers must all name the same channels.
    var requests: [String: (node: String, removed: [Int])] = [:]
    for (node, removed) in channels.sorted(by: { $0.key < $1.key }) where !removed.isEmpty {
      guard let layer = layers[node] else {
        let reason = dependencies.skipped.first { $0.node == node }?.reason ?? "it is not a prunable layer"
        throw EngineError(.invalidData, "cannot remove channels of '\(node)': \(reason)")
      }
      if let earlier = requests[layer.node], Set(earlier.removed) != Set(removed) {
        throw EngineError(
          .invalidData,
          "'\(earlier.node)' and '\(node)' meet at a residual Add and must lose the same channels, "
            + "not \(earlier.removed) and \(removed)")
      }
      requests[layer.node] = (node, removed)
    }
    for (group, request) in requests.sorted(by: { $0.key < $1.key }) {
      let (node, removed) = request
      guard let layer = layers[group] else { continue }
      let gone = Set(removed)
      guard gone.allSatisfy({ (0..<layer.channels).contains($0) }) else {
        throw EngineError(
          .invalidData, "'\(node)' has \(layer.channels) channels; \(removed) is out of range")
      }
      let kept = (0..<layer.channels).filter { !gone.contains($0) }
      guard !kept.isEmpty else {
        throw EngineError(.invalidData, "removing every channel of '\(node)' would disconnect the model")
      }
      for slice in layer.slices {
        guard let tensor = graph.initializers[slice.initializer] else { continue }
        graph.initializers[slice.initializer] = tensor.keepingChannels(
          kept, axis: slice.axis, inner: slice.inner)
      }
      for index in graph.nodes.indices where layer.depthwiseNodes.contains(graph.nodes[index].name) {
        if case .conv(var attributes) = graph.nodes[index].op {
          attributes.group = kept.count
          graph.nodes[index].op = .conv(attributes)
        }
      }
    }
    return try Model.resolving(graph, provenance: model.provenance)
  }
}
