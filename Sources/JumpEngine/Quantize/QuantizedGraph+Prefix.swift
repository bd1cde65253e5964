extension QuantizedGraph {
  /// The graph cut right after the last node that writes one of `names`, with `names` as its outputs.
  ///
  /// Passes that measure a few activations run only what those activations need, not the layers after them.
  /// Throws `invalidModel` for a name that is neither an input nor written by a node.
  func prefix(producing names: Set<String>) throws(EngineError) -> QuantizedGraph {
    var end = 0
    for name in names.sorted() where !inputs.contains(name) {
      guard let index = nodes.firstIndex(where: { $0.outputs.contains(name) }) else {
        throw EngineError(.invalidModel, "quantized graph '\(self.name)': nothing writes '\(name)'")
      }
      end = max(end, index + 1)
    }
    let cut = QuantizedGraph(
      name: name, tensors: tensors, inputs: inputs, outputs: names.sorted(), nodes: Array(nodes[0..<end]))
    try cut.validate()
    return cut
  }
}
