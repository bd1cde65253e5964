/// Where each activation of the integer executor lives: slots per element type, shared by tensors whose
/// lifetimes do not overlap (greedy, in execution order), sized once for the executor's batch size.
struct IntegerBufferPlan {
  /// The slot of an activation: its element type and index among that type's slots.
  struct Location: Hashable {
    /// The element type.
    var type: IntegerBufferType
    /// The slot index.
    var slot: Int
  }

  /// The location of every activation.
  var locations: [String: Location] = [:]
  /// Slot capacities (elements), by element type.
  var capacities: [IntegerBufferType: [Int]] = [:]

  /// Plans `graph` at `batch` samples per pass; `keep` names tensors that must survive to the end of a pass.
  init(graph: QuantizedGraph, batch: Int, keep: Set<String>) throws(EngineError) {
    var lastReader: [String: Int] = [:]
    for (index, node) in graph.nodes.enumerated() {
      for input in node.inputs { lastReader[input] = index }
    }
    for name in keep { lastReader[name] = graph.nodes.count }
    // Per type: the capacity of each slot and the index after which it is free again.
    var freeAfter: [IntegerBufferType: [Int]] = [:]
    func place(_ name: String, at index: Int) throws(EngineError) {
      guard let tensor = graph.tensors[name] else {
        throw EngineError(.invalidModel, "integer executor: no tensor '\(name)'")
      }
      guard let type = IntegerBufferType(tensor.elementType) else {
        throw EngineError(
          .unsupportedOp,
          "integer executor: activation '\(name)' is \(tensor.elementType), not int8/int16/float32")
      }
      let size = max(1, batch * tensor.shape.dropFirst().reduce(1, *))
      let end = lastReader[name] ?? index
      var slots = freeAfter[type, default: []]
      var caps = capacities[type, default: []]
      // Best fit among free slots: the smallest one that is large enough, else the largest free one grown.
      var chosen: Int?
      for s in slots.indices where slots[s] < index {
        guard let current = chosen else {
          chosen = s
          continue
        }
        let fits = caps[s] >= size
        let currentFits = caps[current] >= size
        if (fits && (!currentFits || caps[s] < caps[current]))
          || (!fits && !currentFits && caps[s] > caps[current])
        {
          chosen = s
        }
      }
      let slot: Int
      if let chosen {
        slot = chosen
        caps[slot] = max(caps[slot], size)
        slots[slot] = end
      } else {
        slot = slots.count
        slots.append(end)
        caps.append(size)
      }
      freeAfter[type] = slots
      capacities[type] = caps
      locations[name] = Location(type: type, slot: slot)
    }
    for input in graph.inputs { try place(input, at: -1) }
    for (index, node) in graph.nodes.enumerated() {
      for output in node.outputs { try place(output, at: index) }
    }
  }

  /// The total bytes of all slots.
  var bytes: Int {
    var total = 0
    for (type, caps) in capacities {
      let size =
        switch type {
        case .int8: 1
        case .int16: 2
        case .float32: 4
        }
      total += caps.reduce(0, +) * size
    }
    return total
  }
}
