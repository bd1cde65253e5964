import JumpEngine

/// Something that runs a model on a batch: the float executor for float models, the integer
/// reference executor (TFLite's arithmetic) for quantized ones. Commands that stream data (`eval`, `predict`, `quantize`'s
/// error measurement) go through it, so a quantized model is always measured as the device runs it.
protocol BatchExecutor {
  func run(input: Tensor, isCancelled: () -> Bool) throws(EngineError) -> [Tensor]
}

extension FloatExecutor: BatchExecutor {}
extension IntegerExecutor: BatchExecutor {}

extension ModelValue {
  /// An executor for batches of up to `batchSize` samples.
  func makeExecutor(batchSize: Int, threads: Int) throws(EngineError) -> any BatchExecutor {
    if let quantized {
      return try IntegerExecutor(graph: quantized.graph, batchSize: batchSize, threads: threads)
    }
    return try FloatExecutor(model: model, batchSize: batchSize, threads: threads)
  }

  /// How its numbers are computed, for result lines.
  var executionDescription: String { quantized == nil ? "float" : "\(precision) integer" }
}
