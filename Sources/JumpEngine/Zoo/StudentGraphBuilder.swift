/// Appends the layers of a zoo student to a graph: convolutions, batch norms, activations, pooling and
/// linear layers, each with freshly initialized weights and a unique name.
///
/// The builders in this directory describe an architecture as a sequence of calls; this type keeps the
/// bookkeeping (value names, initializers, the seeded initializer) out of them.
struct StudentGraphBuilder {
  /// The nodes so far, in order.
  private(set) var nodes: [Node] = []
  /// The weights so far.
  private(set) var initializers: [String: Tensor] = [:]
  /// The seeded weight source.
  var initializer: WeightInitializer
  private var counter = 0

  /// The name of the graph's input value.
  static let inputName = "input"
  /// The name of the graph's output value.
  static let outputName = "logits"

  /// Creates a builder whose weights are fixed by `seed`.
  init(seed: UInt64) { initializer = WeightInitializer(seed: seed) }

  private mutating func fresh(_ prefix: String) -> String {
    counter += 1
    return "\(prefix)_\(counter)"
  }

  private mutating func append(_ op: Op, _ prefix: String, inputs: [String]) -> String {
    let name = fresh(prefix)
    nodes.append(Node(name: name, op: op, inputs: inputs, outputs: [name]))
    return name
  }

  /// A `kernel x kernel` convolution with "same" padding for odd kernels (`(k - 1) / 2` on each side).
  mutating func convolution(
    _ x: String, in inputs: Int, out: Int, kernel: Int, stride: Int = 1, groups: Int = 1, bias: Bool = false
  ) -> String {
    let weight = fresh("conv_weight")
    initializers[weight] = initializer.kaimingConvolution(
      out: out, inPerGroup: inputs / groups, kernel: [kernel, kernel])
    var operands = [x, weight]
    if bias {
      let name = fresh("conv_bias")
      initializers[name] = Tensor(shape: [out], floats: [Float](repeating: 0, count: out))
      operands.append(name)
    }
    let pad = (kernel - 1) / 2
    let attributes = ConvAttributes(
      kernel: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad], group: groups)
    return append(.conv(attributes), "conv", inputs: operands)
  }

  /// Batch normalization with PyTorch's fresh state: scale 1, bias 0, running mean 0, running variance 1.
  mutating func batchNorm(_ x: String, channels: Int, epsilon: Float = 1e-5) -> String {
    let names = (0..<4).map { _ in fresh("bn_param") }
    let values: [Float] = [1, 0, 0, 1]
    for (name, value) in zip(names, values) {
      initializers[name] = Tensor(shape: [channels], floats: [Float](repeating: value, count: channels))
    }
    return append(.batchNormalization(epsilon: epsilon), "bn", inputs: [x] + names)
  }

  /// An element-wise activation.
  mutating func activation(_ x: String, _ op: Op) -> String {
    append(op, op.onnxName.lowercased(), inputs: [x])
  }

  /// Element-wise sum of two values of one shape (a residual connection).
  mutating func add(_ a: String, _ b: String) -> String { append(.add, "add", inputs: [a, b]) }

  /// Broadcasting product (squeeze-excite scaling).
  mutating func multiply(_ a: String, _ b: String) -> String { append(.mul, "mul", inputs: [a, b]) }

  /// Average over the spatial positions, `[N, C, H, W] -> [N, C, 1, 1]`.
  mutating func globalAveragePool(_ x: String) -> String { append(.globalAveragePool, "pool", inputs: [x]) }

  /// Max pooling with a `size x size` window and stride `size`.
  mutating func maxPool(_ x: String, size: Int) -> String {
    append(.maxPool(PoolAttributes(kernel: [size, size], strides: [size, size])), "maxpool", inputs: [x])
  }

  /// Flatten to `[N, features]`.
  mutating func flatten(_ x: String) -> String { append(.flatten(axis: 1), "flatten", inputs: [x]) }

  /// A fully connected layer `y = x W^T + b`: `normal(0, 0.01)` weights and zero bias (torchvision's
  /// MobileNet recipe), or with `uniformFanIn` PyTorch's `nn.Linear` default, both uniform in
  /// `±1 / sqrt(in)`.
  mutating func linear(_ x: String, in inputs: Int, out: Int, uniformFanIn: Bool = false) -> String {
    let weight = fresh("fc_weight")
    let bias = fresh("fc_bias")
    if uniformFanIn {
      let bound = 1 / Double(inputs).squareRoot()
      initializers[weight] = Tensor(
        shape: [out, inputs], floats: initializer.uniforms(out * inputs, bound: bound))
      initializers[bias] = Tensor(shape: [out], floats: initializer.uniforms(out, bound: bound))
    } else {
      initializers[weight] = initializer.linear(out: out, in: inputs)
      initializers[bias] = Tensor(shape: [out], floats: [Float](repeating: 0, count: out))
    }
    let output = fresh("fc")
    nodes.append(
      Node(
        name: output, op: .gemm(GemmAttributes(transB: true)), inputs: [x, weight, bias], outputs: [output]))
    return output
  }

  /// The finished model: input `[batch] + sampleShape`, the last value renamed to `logits`.
  func model(name: String, sampleShape: [Int], last: String) throws(EngineError) -> Model {
    var nodes = self.nodes
    if let index = nodes.lastIndex(where: { $0.outputs == [last] }) {
      nodes[index].outputs = [Self.outputName]
    }
    let input = ValueInfo(name: Self.inputName, shape: [.symbolic("batch")] + sampleShape.map { .fixed($0) })
    let graph = Graph(
      name: name, inputs: [input], outputs: [ValueInfo(name: Self.outputName, shape: [])], nodes: nodes,
      initializers: initializers, opset: 17)
    return try Model.resolving(graph, provenance: ModelProvenance(producerName: "jumpstation zoo", opset: 17))
  }
}
