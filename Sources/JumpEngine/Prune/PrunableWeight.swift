/// A weight tensor that magnitude pruning may zero: the filter of a convolution (depthwise included) or the
/// constant matrix of a Gemm or MatMul.
///
/// Biases and BatchNormalization parameters are never pruned: they are few, and zeroing them shifts every
/// output of a channel rather than dropping one connection.
public struct PrunableWeight: Sendable, Equatable {
  /// The node that reads the weight.
  public let node: String
  /// The node's ONNX op name.
  public let op: String
  /// The initializer's name.
  public let initializer: String
  /// Its shape.
  public let shape: [Int]

  /// The number of elements.
  public var count: Int { Tensor.elementCount(shape) }

  /// The prunable weights of a graph in node order, each initializer once (at its first reader).
  public static func all(in graph: Graph) -> [PrunableWeight] {
    var seen = Set<String>()
    var weights: [PrunableWeight] = []
    for node in graph.nodes {
      for index in prunableInputs(of: node) where index < node.inputs.count {
        let name = node.inputs[index]
        guard let tensor = graph.initializers[name], tensor.dtype == .float32, tensor.rank >= 2,
          seen.insert(name).inserted
        else { continue }
        weights.append(
          PrunableWeight(node: node.name, op: node.op.onnxName, initializer: name, shape: tensor.shape))
      }
    }
    return weights
  }

  /// Which inputs of a node are weights pruning may touch.
  static func prunableInputs(of node: Node) -> [Int] {
    switch node.op {
    case .conv, .gemm: return [1]
    case .matMul: return [0, 1]
    default: return []
    }
  }
}
