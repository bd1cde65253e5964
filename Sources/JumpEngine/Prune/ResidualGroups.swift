/// A residual addition: an Add of two computed tensors with the same channels on axis 1. Its two inputs and
/// its output carry one channel set, so removing channel `c` from one means removing it from all three.
enum ResidualJoin {
  static func isJoin(_ node: Node, _ graph: Graph) -> Bool {
    guard case .add = node.op, node.inputs.count == 2,
      node.inputs.allSatisfy({ graph.initializers[$0] == nil })
    else { return false }
    guard let a = graph.info(of: node.inputs[0])?.shape, let b = graph.info(of: node.inputs[1])?.shape,
      a.count == b.count, a.count >= 2, let channels = a[1].value, b[1].value == channels
    else { return false }
    return true
  }
}

/// Layers and residual Adds that share one channel set, found by union-find over the Adds each channel
/// walk reaches: the block's output convolution, the skip path's producer and every Add of a chain of
/// blocks end up in one group, which loses the same channel indices everywhere or stays whole.
struct ResidualGroups {
  private var parent: [String: String] = [:]

  /// The group's representative for `name`.
  mutating func root(_ name: String) -> String {
    var current = name
    while let next = parent[current], next != current { current = next }
    var step = name
    while let next = parent[step], next != current {
      parent[step] = current
      step = next
    }
    return current
  }

  /// Puts `a` and `b` in one group.
  mutating func join(_ a: String, _ b: String) {
    let rootA = root(a)
    let rootB = root(b)
    if rootA != rootB { parent[rootB] = rootA }
  }
}
