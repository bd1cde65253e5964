/// Where every intermediate value lives in the executor's single activation arena.
///
/// Values that only relabel their input (Reshape, Flatten, Squeeze, Unsqueeze) share its buffer. Every other
/// value gets a buffer whose lifetime runs from the step that produces it to the last step that reads it
/// (graph outputs live to the end). Buffers are placed greedily, largest first, at the lowest offset that
/// does not overlap a buffer alive at the same time (the TFLite Micro planner's strategy). Offsets are
/// 64-byte aligned.
struct BufferPlan {
  /// The arena offset, in floats, of every value that lives in the arena (aliases included).
  var offsets: [String: Int]
  /// For each alias value, the value whose memory it shares (constants included).
  var roots: [String: String]
  /// The arena size in floats.
  var count: Int

  /// Plans buffers for `nodes` run in order; `sizes` gives element counts at the planned batch size.
  static func make(
    nodes: [PlannedNode], sizes: [String: Int], inputs: [String], outputs: [String], constants: Set<String>
  ) -> BufferPlan {
    var roots: [String: String] = [:]
    func root(_ value: String) -> String { roots[value] ?? value }
    var first: [String: Int] = [:]
    var last: [String: Int] = [:]
    for input in inputs { first[input] = -1 }
    for (step, planned) in nodes.enumerated() {
      for input in planned.node.inputs where !constants.contains(root(input)) {
        last[root(input)] = max(last[root(input)] ?? step, step)
      }
      if planned.node.op.isViewOnly, let source = planned.node.inputs.first,
        let output = planned.node.outputs.first
      {
        roots[output] = root(source)
        continue
      }
      for output in planned.node.outputs where first[output] == nil {
        first[output] = step
      }
    }
    for output in outputs where !constants.contains(root(output)) { last[root(output)] = nodes.count }
    let buffers = first.keys.sorted { a, b in
      let (sa, sb) = (sizes[a] ?? 0, sizes[b] ?? 0)
      if sa != sb { return sa > sb }
      let (fa, fb) = (first[a] ?? 0, first[b] ?? 0)
      return fa != fb ? fa < fb : a < b
    }
    var placed: [(offset: Int, size: Int, first: Int, last: Int)] = []
    var offsets: [String: Int] = [:]
    var total = 0
    for value in buffers {
      let size = ((sizes[value] ?? 0) + 15) / 16 * 16
      let begin = first[value] ?? 0
      let end = last[value] ?? begin
      let conflicts = placed.filter { $0.first <= end && begin <= $0.last }.sorted { $0.offset < $1.offset }
      var offset = 0
      for other in conflicts {
        if offset + size <= other.offset { break }
        offset = max(offset, other.offset + other.size)
      }
      placed.append((offset, size, begin, end))
      offsets[value] = offset
      total = max(total, offset + size)
    }
    for (alias, source) in roots where !constants.contains(source) {
      offsets[alias] = offsets[source]
    }
    return BufferPlan(offsets: offsets, roots: roots, count: total)
  }
}

extension Op {
  /// True for ops whose output is their input's memory under another shape.
  var isViewOnly: Bool {
    switch self {
    case .reshape, .flatten, .squeeze, .unsqueeze: return true
    default: return false
    }
  }
}
