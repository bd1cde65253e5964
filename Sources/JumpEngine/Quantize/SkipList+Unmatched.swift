extension SkipList {
  /// The entries that name no node of `lowered`: neither a node, nor one of its float sources, nor its
  /// TFLite or ONNX op type.
  ///
  /// A misspelt `skip=` entry would otherwise quantize the layer the user meant to protect, silently.
  public func unmatched(in lowered: LoweredGraph) -> [String] {
    entries.filter { entry in
      let single = SkipList([entry])
      return !lowered.graph.nodes.contains { single.matches($0) }
    }
  }
}
