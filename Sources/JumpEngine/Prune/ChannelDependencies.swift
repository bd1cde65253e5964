/// What removing output channels of one layer touches: the tensors indexed by those channels downstream,
/// found by following the layer's output through the ops that keep channels apart.
///
/// A layer is a convolution with `group = 1` or a Gemm with a constant weight (its outputs are channels
/// too). From its output the walk passes BatchNormalization (its four vectors shrink), elementwise
/// activations, pooling, ReduceMean over spatial axes, arithmetic with a scalar constant, Flatten at axis 1
/// (a channel becomes `H·W` features), and depthwise convolutions with multiplier 1 (their filters, biases
/// and `group` shrink, and the walk continues past them). It ends at the consumers whose input channels
/// shrink: a convolution with `group = 1`, a Gemm or a MatMul with a constant weight.
///
/// A residual Add of two computed tensors with the same channels joins the channel sets of both its inputs
/// and its output: the walk stops there, and every layer (and Add) that meets at it, through chains of
/// blocks, becomes one group (`ResidualGroups`) that loses the same channel indices everywhere. The Add's
/// output is walked like a layer's, so the next blocks' convolutions, BatchNorms and depthwise chains
/// shrink with it. A group stays whole when one of its members cannot be pruned, or when an Add input is
/// not produced by a prunable layer (the graph input, a Concat, a squeeze-excitation Mul).
///
/// Anything else makes the layer unprunable, with the reason kept for the report: a graph output (so the
/// final classifier's outputs are never removed), Concat, Reshape, a depthwise multiplier, a weight shared
/// with another node, and, deliberately, a Sub, Mul or Div (or an Add with a non-scalar constant) whose
/// other operand is not a scalar constant: the channels of squeeze-excitation products and of Concats are
/// kept whole.
public struct ChannelDependencies: Sendable {
  /// A tensor to cut along an axis when channels go.
  public struct Slice: Sendable, Equatable {
    /// The initializer.
    public var initializer: String
    /// The axis indexed by the channels.
    public var axis: Int
    /// How many consecutive indices of the axis one channel covers.
    public var inner: Int
  }

  /// A layer (or residual group of layers) whose output channels can be removed, with everything that
  /// follows them.
  public struct Layer: Sendable, Equatable {
    /// The producing node's name (the first producer of a residual group, in graph order).
    public var node: String
    /// The weight whose output channels are scored and removed.
    public var weight: String
    /// The axis of `weight` that indexes output channels (0 for Conv, Gemm with transB; 1 for Gemm).
    public var outputAxis: Int
    /// The number of output channels.
    public var channels: Int
    /// Every tensor to cut, the producers' weights and biases included.
    public var slices: [Slice]
    /// Depthwise convolutions whose `group` becomes the number of kept channels.
    public var depthwiseNodes: [String]
    /// Every layer whose outputs meet this one's at residual Adds, this one first, in graph order: they
    /// lose the same channels, ranked by the sum of their filters' L1 norms.
    public var producers: [Producer]
  }

  /// One producer of a layer's channels.
  public struct Producer: Sendable, Equatable {
    /// The node's name.
    public var node: String
    /// Its weight.
    public var weight: String
    /// The axis of `weight` that indexes output channels.
    public var outputAxis: Int
  }

  /// The prunable layers, in graph order.
  public var layers: [Layer]
  /// Layers that cannot be pruned, with why: `conv2: its output reaches an Add with another branch`.
  public var skipped: [(node: String, reason: String)]

  /// What one channel source (a layer or a residual Add) reaches.
  private struct Source {
    var node: String
    var producer: (weight: String, axis: Int, channels: Int, slices: [Slice])?
    var walk: ChannelWalk
    var failure: String?
  }

  /// Analyses a graph.
  public init(_ graph: Graph) {
    var readers: [String: Int] = [:]
    for node in graph.nodes { for input in Set(node.inputs) { readers[input, default: 0] += 1 } }
    let outputs = Set(graph.outputs.map(\.name))
    var sources: [Source] = []
    var groups = ResidualGroups()
    var reached: [String: Set<Int>] = [:]
    for node in graph.nodes {
      let producer = Self.producerSlices(node, graph)
      let isJoin = ResidualJoin.isJoin(node, graph)
      guard producer != nil || isJoin else { continue }
      var source = Source(
        node: node.name, producer: producer,
        walk: ChannelWalk(graph: graph, readers: readers, outputs: outputs))
      do throws(ChannelWalk.Stop) {
        for slice in producer?.slices ?? [] where (readers[slice.initializer] ?? 0) > 1 {
          throw ChannelWalk.Stop("its weights are shared with another node (\(slice.initializer))")
        }
        try source.walk.follow(node.outputs[0], inner: 1)
      } catch {
        source.failure = error.reason
      }
      for junction in source.walk.junctions {
        groups.join(node.name, junction.add)
        reached[junction.add, default: []].insert(junction.position)
      }
      if isJoin { reached[node.name, default: []].formUnion([]) }
      sources.append(source)
    }
    // Why each group stays whole: the first failing member, or an Add input no prunable layer produces.
    var failures: [String: String] = [:]
    var adds: [String: [String]] = [:]
    for source in sources {
      let root = groups.root(source.node)
      if let failure = source.failure, failures[root] == nil {
        failures[root] = "'\(source.node)': \(failure)"
      }
      guard let positions = reached[source.node],
        let node = graph.nodes.first(where: { $0.name == source.node })
      else { continue }
      adds[root, default: []].append(source.node)
      for (index, input) in node.inputs.enumerated() where !positions.contains(index) && failures[root] == nil
      {
        failures[root] = "'\(source.node)' adds '\(input)', which no prunable layer produces"
      }
    }
    var members: [String: [Source]] = [:]
    for source in sources where source.producer != nil {
      members[groups.root(source.node), default: []].append(source)
    }
    var layers: [Layer] = []
    var skipped: [(node: String, reason: String)] = []
    var emitted = Set<String>()
    for source in sources {
      guard let first = source.producer else { continue }
      let root = groups.root(source.node)
      let group = members[root] ?? []
      let joins = adds[root] ?? []
      let channelCounts = Set(group.compactMap { $0.producer?.channels })
      if failures[root] == nil, channelCounts.count > 1 {
        failures[root] = "its producers have different channel counts \(channelCounts.sorted())"
      }
      if let failure = failures[root] {
        let reason =
          joins.isEmpty
          ? source.failure ?? failure
          : source.failure
            ?? "it meets other branches at residual Add \(joins.map { "'\($0)'" }.joined(separator: ", ")), "
            + "kept whole because \(failure)"
        skipped.append((source.node, reason))
        continue
      }
      guard emitted.insert(root).inserted else { continue }
      var slices: [Slice] = []
      for member in sources where groups.root(member.node) == root {
        for slice in (member.producer?.slices ?? []) + member.walk.slices where !slices.contains(slice) {
          slices.append(slice)
        }
      }
      let depthwise = sources.filter { groups.root($0.node) == root }.flatMap(\.walk.depthwise)
      layers.append(
        Layer(
          node: source.node, weight: first.weight, outputAxis: first.axis, channels: first.channels,
          slices: slices, depthwiseNodes: depthwise,
          producers: group.compactMap { member in
            member.producer.map { Producer(node: member.node, weight: $0.weight, outputAxis: $0.axis) }
          }))
    }
    self.layers = layers
    self.skipped = skipped
  }

  /// The producer's own slices when `node` is a layer that has output channels to remove.
  static func producerSlices(
    _ node: Node, _ graph: Graph
  ) -> (weight: String, axis: Int, channels: Int, slices: [Slice])? {
    guard node.inputs.count >= 2, let weight = graph.initializers[node.inputs[1]], weight.dtype == .float32
    else { return nil }
    let bias = node.inputs.count > 2 ? node.inputs[2] : nil
    switch node.op {
    case .conv(let attributes):
      guard attributes.group == 1, weight.rank >= 3 else { return nil }
      var slices = [Slice(initializer: node.inputs[1], axis: 0, inner: 1)]
      if let bias, graph.initializers[bias] != nil {
        slices.append(Slice(initializer: bias, axis: 0, inner: 1))
      }
      return (node.inputs[1], 0, weight.shape[0], slices)
    case .gemm(let attributes):
      guard !attributes.transA, weight.rank == 2 else { return nil }
      let axis = attributes.transB ? 0 : 1
      let channels = weight.shape[axis]
      var slices = [Slice(initializer: node.inputs[1], axis: axis, inner: 1)]
      if let bias {
        guard let tensor = graph.initializers[bias] else { return nil }
        if tensor.shape == [channels] {
          slices.append(Slice(initializer: bias, axis: 0, inner: 1))
        } else if tensor.shape == [1, channels] {
          slices.append(Slice(initializer: bias, axis: 1, inner: 1))
        } else if tensor.count != 1 {
          return nil
        }
      }
      return (node.inputs[1], axis, channels, slices)
    default:
      return nil
    }
  }
}

/// The walk from a layer's output to the consumers of its channels (see `ChannelDependencies`).
struct ChannelWalk {
  /// Why a walk stopped: the layer cannot be pruned.
  struct Stop: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
  }

  let graph: Graph
  let readers: [String: Int]
  let outputs: Set<String>
  var slices: [ChannelDependencies.Slice] = []
  var depthwise: [String] = []
  /// The residual Adds reached, with the input position each was reached at: the walk stops there and the
  /// Add's channels are grouped with this layer's (`ResidualGroups`).
  var junctions: [(add: String, position: Int)] = []
  var visited = Set<String>()

  init(graph: Graph, readers: [String: Int], outputs: Set<String>) {
    self.graph = graph
    self.readers = readers
    self.outputs = outputs
  }

  /// Follows `value`, whose axis 1 holds the channels with `inner` indices per channel.
  mutating func follow(_ value: String, inner: Int) throws(Stop) {
    if outputs.contains(value) { throw Stop("its output reaches the graph output '\(value)'") }
    for node in graph.consumers(of: value) {
      if ResidualJoin.isJoin(node, graph) {
        try visit(node, from: value, inner: inner)
      } else if visited.insert(node.name).inserted {
        try visit(node, from: value, inner: inner)
      }
    }
  }

  /// Adds a slice of an initializer read only by this node.
  mutating func cut(_ name: String, axis: Int, inner: Int, at node: Node) throws(Stop) {
    guard graph.initializers[name] != nil else {
      throw Stop(
        "'\(node.name)' (\(node.op.onnxName)) reads a computed '\(name)' where a constant was expected")
    }
    guard (readers[name] ?? 0) == 1 else {
      throw Stop("'\(name)' of '\(node.name)' is shared with another node")
    }
    slices.append(ChannelDependencies.Slice(initializer: name, axis: axis, inner: inner))
  }

  mutating func visit(_ node: Node, from value: String, inner: Int) throws(Stop) {
    let position = node.inputs.firstIndex(of: value) ?? 0
    let rank = graph.info(of: value)?.shape.count ?? 0
    func unsupported(_ why: String) -> Stop {
      Stop("its output reaches '\(node.name)' (\(node.op.onnxName)), \(why)")
    }
    switch node.op {
    case .batchNormalization:
      guard position == 0, inner == 1 else { throw unsupported("as a parameter") }
      for name in node.inputs.dropFirst() { try cut(name, axis: 0, inner: 1, at: node) }
      try follow(node.outputs[0], inner: inner)
    case .relu, .clip, .hardSwish, .hardSigmoid, .sigmoid:
      try follow(node.outputs[0], inner: inner)
    case .maxPool, .averagePool, .globalAveragePool:
      guard inner == 1 else { throw unsupported("after a flatten") }
      try follow(node.outputs[0], inner: 1)
    case .reduceMean(let axes, _):
      let normalized = (axes ?? Array(0..<rank)).map { $0 < 0 ? $0 + rank : $0 }
      guard inner == 1, !normalized.contains(0), !normalized.contains(1) else {
        throw unsupported("which reduces over channels")
      }
      try follow(node.outputs[0], inner: 1)
    case .add where ResidualJoin.isJoin(node, graph):
      guard inner == 1 else { throw unsupported("after a flatten") }
      for (index, input) in node.inputs.enumerated() where input == value {
        junctions.append((node.name, index))
      }
    case .add, .sub, .mul, .div:
      let other = node.inputs[position == 0 ? 1 : 0]
      guard node.inputs.count == 2, let constant = graph.initializers[other], constant.count == 1 else {
        throw unsupported("which joins it with another branch (gating channels are kept whole)")
      }
      try follow(node.outputs[0], inner: inner)
    case .flatten(let axis):
      guard axis == 1 || axis == 1 - rank, let shape = graph.info(of: value)?.concreteShape(), rank >= 2
      else {
        throw unsupported("which flattens at another axis")
      }
      try follow(node.outputs[0], inner: inner * shape[2...].reduce(1, *))
    case .conv(let attributes):
      guard position == 0, inner == 1, node.inputs.count >= 2,
        let weight = graph.initializers[node.inputs[1]]
      else { throw unsupported("as a weight") }
      let channels = graph.info(of: value)?.shape[1].value ?? -1
      if attributes.group == 1 {
        try cut(node.inputs[1], axis: 1, inner: 1, at: node)
      } else if attributes.group == channels, weight.shape[0] == channels, weight.shape[1] == 1 {
        try cut(node.inputs[1], axis: 0, inner: 1, at: node)
        if node.inputs.count > 2 { try cut(node.inputs[2], axis: 0, inner: 1, at: node) }
        depthwise.append(node.name)
        try follow(node.outputs[0], inner: 1)
      } else {
        throw unsupported("a grouped convolution or a depthwise one with a channel multiplier")
      }
    case .gemm(let attributes):
      guard position == 0, !attributes.transA else { throw unsupported("as a transposed operand") }
      try cut(node.inputs[1], axis: attributes.transB ? 1 : 0, inner: inner, at: node)
    case .matMul:
      guard position == 0, rank == 2 else { throw unsupported("as its second operand") }
      try cut(node.inputs[1], axis: 0, inner: inner, at: node)
    case .softmax:
      throw unsupported("which normalizes across channels")
    case .squeeze, .unsqueeze, .reshape, .concat, .transpose:
      throw unsupported("which moves channels")
    }
  }
}
