extension Model {
  /// The model with every input's batch dimension fixed to `batch` and all shapes re-inferred from it.
  ///
  /// Compilers for NPUs of the DX-M1 class accept only static shapes (batch 1); a symbolic dimension
  /// other than the batch cannot be guessed, so it is an error naming the input.
  public func withStaticShapes(batch: Int = 1) throws(EngineError) -> Model {
    guard batch >= 1 else { throw EngineError(.invalidData, "the batch must be at least 1, got \(batch)") }
    var graph = self.graph
    graph.inputs = try graph.inputs.map { (input) throws(EngineError) -> ValueInfo in
      var fixed = input
      for (axis, dim) in input.shape.enumerated() where dim.value == nil {
        guard axis == 0 else {
          throw EngineError(
            .invalidModel,
            "input '\(input.name)' has the symbolic dimension '\(dim)' at axis \(axis); only the batch "
              + "(axis 0) can be fixed")
        }
        fixed.shape[0] = .fixed(batch)
      }
      return fixed
    }
    graph.outputs = graph.outputs.map { ValueInfo(name: $0.name, shape: [], dtype: $0.dtype) }
    return Model(graph: try graph.resolved(), provenance: provenance)
  }

  /// True when every input and output has a fixed shape.
  public var hasStaticShapes: Bool {
    (inputs + outputs).allSatisfy { info in info.shape.allSatisfy { $0.value != nil } }
  }
}
