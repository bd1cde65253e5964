/// Unstructured magnitude pruning: the smallest-magnitude elements of every prunable weight are set to 0.
///
/// The graph keeps its shapes, so the model computes exactly as before with those connections cut; a dense
/// file stores the zeros like any other weight and does not shrink (it only compresses better).
public enum UnstructuredPruning {
  /// Checks that a sparsity is in [0, 1).
  public static func checkSparsity(_ sparsity: Double) throws(EngineError) {
    guard sparsity.isFinite, sparsity >= 0, sparsity < 1 else {
      throw EngineError(
        .invalidData, "sparsity \(sparsity) is outside [0, 1): it is the fraction of weights to remove")
    }
  }

  /// The masks that prune `model` to `sparsity` over its prunable weights.
  ///
  /// Throws `invalidModel` when the model has no prunable weight (no Conv, Gemm or MatMul constant).
  public static func masks(
    for model: Model, sparsity: Double, scope: PruningScope
  ) throws(EngineError) -> [String: MagnitudeMask] {
    try checkSparsity(sparsity)
    let weights = PrunableWeight.all(in: model.graph)
    guard !weights.isEmpty else {
      throw EngineError(.invalidModel, "the model has no Conv, Gemm or MatMul weights to prune")
    }
    let values = weights.map { weight in
      (name: weight.initializer, values: model.graph.initializers[weight.initializer]?.asFloats() ?? [])
    }
    return MagnitudeThresholds.masks(values, sparsity: sparsity, scope: scope)
  }

  /// `model` with every masked initializer multiplied by its mask.
  public static func applying(_ masks: [String: MagnitudeMask], to model: Model) -> Model {
    var graph = model.graph
    for (name, mask) in masks {
      guard let tensor = graph.initializers[name], tensor.count == mask.keep.count else { continue }
      var values = tensor.asFloats()
      mask.apply(to: &values)
      graph.initializers[name] = Tensor(shape: tensor.shape, floats: values)
    }
    return Model(graph: graph, provenance: model.provenance)
  }

  /// One-shot pruning: `model` with its smallest weights zeroed, and the masks used.
  public static func prune(
    _ model: Model, sparsity: Double, scope: PruningScope
  ) throws(EngineError) -> (model: Model, masks: [String: MagnitudeMask]) {
    let masks = try masks(for: model, sparsity: sparsity, scope: scope)
    return (applying(masks, to: model), masks)
  }
}
