/// Size and cost figures of a model at batch size 1.
///
/// **Parameter rule.** `parameterCount` is the number of elements of floating-point initializers read by at
/// least one node, each initializer counted once, except the running mean and variance of
/// BatchNormalization (inputs 3 and 4), which are buffers as in PyTorch and are counted in `bufferCount`.
/// Integer initializers (shapes, indices) are neither. `fp32Bytes` is 4 bytes per parameter and buffer
/// element. **MACs** are counted for Conv (`out_elems × C_in/group × prod(kernel)`), Gemm (`M × N × K`) and
/// MatMul (`out_elems × K`); every other op has 0 MACs and reports its element operations separately
/// (output elements for elementwise ops, output elements × window for pooling, input elements for global
/// and mean reductions). Symbolic dimensions are taken as 1.
public struct ModelSummary: Sendable, Equatable {
  /// Cost figures of one node.
  public struct Layer: Sendable, Equatable {
    /// The node name.
    public var name: String
    /// The ONNX op name.
    public var op: String
    /// The output shape at batch size 1.
    public var outputShape: [Int]
    /// Multiply-accumulates.
    public var macs: Int
    /// Element operations of ops that have no MACs.
    public var elementOps: Int
    /// Parameters read by this node (first reader only).
    public var parameters: Int
  }

  /// One entry of the op histogram.
  public struct OpCount: Sendable, Equatable {
    /// The ONNX op name.
    public var op: String
    /// How many nodes use it.
    public var count: Int
  }

  /// The model inputs.
  public var inputs: [ValueInfo]
  /// The model outputs.
  public var outputs: [ValueInfo]
  /// The number of nodes.
  public var nodeCount: Int
  /// Ops by descending count, then by name.
  public var opHistogram: [OpCount]
  /// Trainable parameter elements (see the type documentation for the rule).
  public var parameterCount: Int
  /// Parameters that are not zero (pruning shows here; see ``ModelFacts/nonZeroParameters``).
  public var nonZeroParameterCount: Int
  /// BatchNormalization running statistics elements.
  public var bufferCount: Int
  /// Bytes of all parameters and buffers stored as fp32.
  public var fp32Bytes: Int
  /// Per-node costs in graph order.
  public var layers: [Layer]
  /// The sum of the layers' MACs.
  public var totalMACs: Int
  /// The sum of the layers' element operations.
  public var totalElementOps: Int

  /// Computes the summary of a model.
  public init(_ model: Model) {
    let graph = model.graph
    inputs = graph.inputs
    outputs = graph.outputs
    nodeCount = graph.nodes.count
    var histogram: [String: Int] = [:]
    for node in graph.nodes { histogram[node.op.onnxName, default: 0] += 1 }
    opHistogram = histogram.map { OpCount(op: $0.key, count: $0.value) }
      .sorted { $0.count != $1.count ? $0.count > $1.count : $0.op < $1.op }
    var seen = Set<String>()
    var parameters = 0
    var nonZero = 0
    var buffers = 0
    var layers: [Layer] = []
    for node in graph.nodes {
      var nodeParameters = 0
      for (i, input) in node.inputs.enumerated() {
        guard let tensor = graph.initializers[input], tensor.dtype.isFloatingPoint,
          seen.insert(input).inserted
        else { continue }
        if case .batchNormalization = node.op, i >= 3 {
          buffers += tensor.count
        } else {
          nodeParameters += tensor.count
          nonZero += tensor.asFloats().reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
      }
      parameters += nodeParameters
      let cost = ModelSummary.cost(of: node, in: graph)
      let shape = node.outputs.first.flatMap { graph.valueInfo[$0] }?.concreteShape() ?? []
      layers.append(
        Layer(
          name: node.name, op: node.op.onnxName, outputShape: shape, macs: cost.macs,
          elementOps: cost.elementOps,
          parameters: nodeParameters))
    }
    parameterCount = parameters
    nonZeroParameterCount = nonZero
    bufferCount = buffers
    fp32Bytes = 4 * (parameters + buffers)
    self.layers = layers
    totalMACs = layers.reduce(0) { $0 + $1.macs }
    totalElementOps = layers.reduce(0) { $0 + $1.elementOps }
  }

  /// MACs and element operations of one node at batch size 1.
  static func cost(of node: Node, in graph: Graph) -> (macs: Int, elementOps: Int) {
    func shape(_ name: String?) -> [Int] {
      guard let name, let info = graph.info(of: name) else { return [] }
      return info.concreteShape()
    }
    let out = shape(node.outputs.first)
    let outElements = Tensor.elementCount(out)
    let input = shape(node.inputs.first)
    switch node.op {
    case .conv(let a):
      let w = shape(node.inputs.count > 1 ? node.inputs[1] : nil)
      let perOutput = w.count > 1 ? w[1] * a.kernel.reduce(1, *) : 0
      return (outElements * perOutput, 0)
    case .gemm(let a):
      let k = input.count == 2 ? (a.transA ? input[0] : input[1]) : 0
      return (outElements * k, 0)
    case .matMul:
      let k = input.last ?? 0
      return (outElements * k, 0)
    case .maxPool(let a), .averagePool(let a):
      return (0, outElements * a.kernel.reduce(1, *))
    case .globalAveragePool, .reduceMean:
      return (0, Tensor.elementCount(input))
    case .relu, .clip, .hardSwish, .hardSigmoid, .sigmoid, .add, .sub, .mul, .div, .batchNormalization,
      .softmax:
      return (0, outElements)
    case .flatten, .reshape, .squeeze, .unsqueeze, .concat, .transpose:
      return (0, 0)
    }
  }
}

extension Model {
  /// The size and cost summary of this model at batch size 1.
  public var summary: ModelSummary { ModelSummary(self) }
}
