/// Concrete shapes of every value of a graph at one batch size.
enum ConcreteShapes {
  /// The fixed shape of every value with the graph inputs' symbolic first (batch) dimension set to `batch`.
  ///
  /// Throws `invalidModel` when an input has a symbolic dimension other than the first, or when some value
  /// still has a symbolic dimension after the batch is fixed.
  static func resolve(_ graph: Graph, batch: Int) throws(EngineError) -> [String: [Int]] {
    var fixed = graph
    fixed.inputs = try graph.inputs.map { (input) throws(EngineError) -> ValueInfo in
      var dims: [Dim] = []
      for (axis, dim) in input.shape.enumerated() {
        switch dim {
        case .fixed: dims.append(dim)
        case .symbolic(let name):
          guard axis == 0 else {
            throw EngineError(
              .invalidModel,
              "input '\(input.name)' has symbolic dimension '\(name)' at axis \(axis); only the first (batch) dimension may be symbolic"
            )
          }
          dims.append(.fixed(batch))
        }
      }
      return ValueInfo(name: input.name, shape: dims, dtype: input.dtype)
    }
    let resolved = try fixed.resolved()
    var shapes: [String: [Int]] = [:]
    for (name, info) in resolved.valueInfo {
      guard let shape = info.fixedShape else {
        throw EngineError(
          .invalidModel,
          "value '\(name)' has shape \(ValueInfo.format(info.shape)) after fixing the batch size; only the batch dimension may be symbolic"
        )
      }
      shapes[name] = shape
    }
    return shapes
  }

  /// The batch size the model's first input fixes, or nil when its first dimension is symbolic.
  static func fixedBatch(of graph: Graph) -> Int? {
    guard let first = graph.inputs.first?.shape.first else { return 1 }
    return first.value
  }
}
