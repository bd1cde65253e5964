/// Checks a batch against a graph's input before an executor runs it.
extension QuantizedGraph {
  /// The batch size of `input` and the elements per sample, after checking that `input` is a
  /// non-empty batch of the samples the input tensor `name` declares.
  func checkedBatch(_ input: Tensor, for name: String) throws(EngineError) -> (count: Int, sampleSize: Int) {
    let declared = try tensor(name)
    guard input.rank == declared.shape.count, input.shape.dropFirst() == declared.shape.dropFirst() else {
      let wanted = ["N"] + declared.shape.dropFirst().map(String.init)
      throw EngineError(
        .invalidData,
        "input has shape \(input.shape), the graph expects [\(wanted.joined(separator: ", "))] for '\(name)'")
    }
    guard input.shape[0] > 0 else { throw EngineError(.invalidData, "input has no samples") }
    return (input.shape[0], declared.shape.dropFirst().reduce(1, *))
  }
}
