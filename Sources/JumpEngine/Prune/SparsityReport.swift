/// How sparse a pruned model is and what it costs, next to the model it came from.
///
/// Sparsity is counted over the prunable weights (`PrunableWeight`: convolution filters, Gemm and MatMul
/// constant matrices) as the fraction of elements that are exactly zero, per layer and in total.
/// Parameters, fp32 bytes and MACs follow `ModelSummary`'s rules; `nonzeroParameters` is the parameter count
/// less the zeros of the prunable weights, what a sparse format would have to store.
public struct SparsityReport: Sendable, Equatable {
  /// One prunable weight of the pruned model.
  public struct Layer: Sendable, Equatable {
    /// The node that reads it.
    public var node: String
    /// Its ONNX op name.
    public var op: String
    /// The initializer's name.
    public var weight: String
    /// Its elements in the original and pruned model.
    public var countBefore: Int, count: Int
    /// Its zero elements in the pruned model.
    public var zeros: Int
    /// Output channels (first axis of a Conv filter, output units of a Gemm) before and after.
    public var channelsBefore: Int, channels: Int

    /// Zeros over elements.
    public var sparsity: Double { count == 0 ? 0 : Double(zeros) / Double(count) }
  }

  /// The prunable weights, in graph order.
  public var layers: [Layer]
  /// The summaries of the original and the pruned model.
  public var before: ModelSummary, after: ModelSummary

  /// Compares a pruned model with its original.
  public init(original: Model, pruned: Model) {
    before = original.summary
    after = pruned.summary
    let originalShapes = Dictionary(
      PrunableWeight.all(in: original.graph).map { ($0.initializer, $0.shape) },
      uniquingKeysWith: { a, _ in a })
    layers = PrunableWeight.all(in: pruned.graph).map { weight in
      let values = pruned.graph.initializers[weight.initializer]?.asFloats() ?? []
      let zeros = values.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
      let old = originalShapes[weight.initializer] ?? weight.shape
      return Layer(
        node: weight.node, op: weight.op, weight: weight.initializer, countBefore: Tensor.elementCount(old),
        count: weight.count, zeros: zeros, channelsBefore: Self.outputChannels(weight.op, old),
        channels: Self.outputChannels(weight.op, weight.shape))
    }
  }

  /// Zeros of all prunable weights over their elements.
  public var totalSparsity: Double {
    let count = layers.reduce(0) { $0 + $1.count }
    return count == 0 ? 0 : Double(layers.reduce(0) { $0 + $1.zeros }) / Double(count)
  }

  /// Parameters that are not zeros of a prunable weight.
  public var nonzeroParameters: Int { after.parameterCount - layers.reduce(0) { $0 + $1.zeros } }

  /// Output channels of a weight as its op lays it out (Gemm weights are reported by their first axis).
  static func outputChannels(_ op: String, _ shape: [Int]) -> Int { shape.first ?? 0 }
}
