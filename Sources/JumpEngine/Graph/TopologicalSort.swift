/// Orders nodes so that every value is produced before it is used.
///
/// Works on any node-like list through closures, so the ONNX importer can sort raw protobuf nodes with the
/// same code that sorts `Graph` nodes. The order is stable: an already sorted list is returned unchanged.
struct TopologicalSort {
  /// The number of nodes.
  var count: Int
  /// The input value names of node `i` (empty strings mean "absent optional input" and are ignored).
  var inputs: (Int) -> [String]
  /// The output value names of node `i`.
  var outputs: (Int) -> [String]
  /// The display name of node `i`.
  var name: (Int) -> String
  /// Values available before any node runs (graph inputs and initializers).
  var available: Set<String>

  /// Returns node indices in dependency order.
  ///
  /// Throws `invalidModel` for a value produced twice, an input nobody produces, or a cycle.
  func order() throws(EngineError) -> [Int] {
    var producer: [String: Int] = [:]
    for i in 0..<count {
      for output in outputs(i) where !output.isEmpty {
        if producer[output] != nil || available.contains(output) {
          throw EngineError(.invalidModel, "node '\(name(i))': value '\(output)' is produced more than once")
        }
        producer[output] = i
      }
    }
    var dependencies: [[Int]] = []
    dependencies.reserveCapacity(count)
    for i in 0..<count {
      var deps: [Int] = []
      for input in inputs(i) where !input.isEmpty {
        if let p = producer[input] {
          deps.append(p)
        } else if !available.contains(input) {
          throw EngineError(
            .invalidModel,
            "node '\(name(i))': input '\(input)' is not produced by any node, graph input or initializer")
        }
      }
      dependencies.append(deps)
    }
    // Iterative depth-first post-order; state 0 = unvisited, 1 = on the stack, 2 = done.
    var state = [UInt8](repeating: 0, count: count)
    var result: [Int] = []
    result.reserveCapacity(count)
    for root in 0..<count where state[root] == 0 {
      var stack: [(node: Int, next: Int)] = [(root, 0)]
      state[root] = 1
      while let top = stack.last {
        let deps = dependencies[top.node]
        if top.next < deps.count {
          stack[stack.count - 1].next += 1
          let dep = deps[top.next]
          if state[dep] == 1 {
            throw EngineError(.invalidModel, "graph has a cycle through node '\(name(dep))'")
          }
          if state[dep] == 0 {
            state[dep] = 1
            stack.append((dep, 0))
          }
        } else {
          state[top.node] = 2
          result.append(top.node)
          stack.removeLast()
        }
      }
    }
    return result
  }
}

extension Graph {
  /// The nodes reordered so every value is produced before it is used.
  ///
  /// Throws `invalidModel` naming the node on a cycle, a dangling input or a value produced twice.
  public func topologicallySortedNodes() throws(EngineError) -> [Node] {
    let nodes = self.nodes
    let sorter = TopologicalSort(
      count: nodes.count, inputs: { nodes[$0].inputs }, outputs: { nodes[$0].outputs },
      name: { nodes[$0].name },
      available: Set(inputs.map(\.name)).union(initializers.keys))
    return try sorter.order().map { nodes[$0] }
  }
}
