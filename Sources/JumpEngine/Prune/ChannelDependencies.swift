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
/// Anything else makes the layer unprunable, with the reason kept for the report: a graph output (so the
/// final classifier's outputs are never removed), Concat, Reshape, a depthwise multiplier, a weight shared
/// with another node, and, deliberately, an Add, Sub, Mul or Div whose other operand is not a scalar
/// constant. That last rule skips the channels of residual additions (and of squeeze-excitation products):
/// pruning them would need the same channels removed from every branch of the sum and from the block's
/// input, so the layers feeding an addition are left whole and the layers inside the branches are pruned.
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

  /// A layer whose output channels can be removed, with everything that follows them.
  public struct Layer: Sendable, Equatable {
    /// The producing node's name.
    public var node: String
    /// The weight whose output channels are scored and removed.
    public var weight: String
    /// The axis of `weight` that indexes output channels (0 for Conv, Gemm with transB; 1 for Gemm).
    public var outputAxis: Int
    /// The number of output channels.
    public var channels: Int
    /// Every tensor to cut, the producer's weight and bias included.
    public var slices: [Slice]
    /// Depthwise convolutions whose `group` becomes the number of kept channels.
    public var depthwiseNodes: [String]
  }

  /// The prunable layers, in graph order.
  public var layers: [Layer]
  /// Layers that cannot be pruned, with why: `conv2: its output reaches an Add with another branch`.
  public var skipped: [(node: String, reason: String)]

  /// Analyses a graph.
  public init(_ graph: Graph) {
    var readers: [String: Int] = [:]
    for node in graph.nodes { for input in Set(node.inputs) { readers[input, default: 0] += 1 } }
    let outputs = Set(graph.outputs.map(\.name))
    var layers: [Layer] = []
    var skipped: [(node: String, reason: String)] = []
    for node in graph.nodes {
      guard let producer = Self.producerSlices(node, graph) else { continue }
      var walk = ChannelWalk(graph: graph, readers: readers, outputs: outputs)
      do throws(ChannelWalk.Stop) {
        for slice in producer.slices where (readers[slice.initializer] ?? 0) > 1 {
          throw ChannelWalk.Stop("its weights are shared with another node (\(slice.initializer))")
        }
        try walk.follow(node.outputs[0], inner: 1)
        layers.append(
          Layer(
            node: node.name, weight: producer.weight, outputAxis: producer.axis, channels: producer.channels,
            slices: producer.slices + walk.slices, depthwiseNodes: walk.depthwise))
      } catch {
        skipped.append((node.name, error.reason))
      }
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
  var visited = Set<String>()

  init(graph: Graph, readers: [String: Int], outputs: Set<String>) {
    self.graph = graph
    self.readers = readers
    self.outputs = outputs
  }

  /// Follows `value`, whose axis 1 holds the channels with `inner` indices per channel.
  mutating func follow(_ value: String, inner: Int) throws(Stop) {
    if outputs.contains(value) { throw Stop("its output reaches the graph output '\(value)'") }
    for node in graph.consumers(of: value) where visited.insert(node.name).inserted {
      try visit(node, from: value, inner: inner)
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
    case .add, .sub, .mul, .div:
      let other = node.inputs[position == 0 ? 1 : 0]
      guard node.inputs.count == 2, let constant = graph.initializers[other], constant.count == 1 else {
        throw unsupported("which joins it with another branch (residual or gating channels are kept whole)")
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
