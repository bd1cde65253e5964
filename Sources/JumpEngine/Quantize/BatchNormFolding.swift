/// Folds every BatchNormalization that alone reads a Conv's output into that Conv: a float `Model -> Model`.
///
/// `BN(W x + b) = (s W) x + (s b + t)` per output channel, with `s = γ / sqrt(σ² + ε)` and `t = β − μ s`.
/// Lowering folds the same pairs on its own; cross-layer equalization needs them folded first, in the float
/// model, because it rescales the weights the BatchNormalization would otherwise rescale again. The Conv
/// takes over the BatchNormalization's output name, so later nodes and calibration ranges still refer to
/// it; folded weights get new initializer names and initializers nothing reads any more are dropped.
public enum BatchNormFolding {
  /// The model with every foldable Conv → BatchNormalization pair folded, and how many were folded.
  public static func fold(_ model: Model) throws(EngineError) -> (model: Model, folded: Int) {
    var graph = model.graph
    let outputs = Set(graph.outputs.map(\.name))
    var readers: [String: [Int]] = [:]
    for (index, node) in graph.nodes.enumerated() {
      for input in node.inputs { readers[input, default: []].append(index) }
    }
    var removed = Set<Int>()
    for index in graph.nodes.indices where !removed.contains(index) {
      let conv = graph.nodes[index]
      guard case .conv = conv.op, conv.inputs.count >= 2, conv.outputs.count == 1,
        !outputs.contains(conv.outputs[0]), let list = readers[conv.outputs[0]], list.count == 1,
        case .batchNormalization(let epsilon) = graph.nodes[list[0]].op,
        graph.nodes[list[0]].inputs.first == conv.outputs[0],
        let weights = graph.initializers[conv.inputs[1]], weights.rank == 4
      else { continue }
      let bn = graph.nodes[list[0]]
      let channels = weights.shape[0]
      guard let affine = affine(bn, epsilon: epsilon, in: graph), affine.scale.count == channels else {
        continue
      }
      var w = weights.asFloats()
      var b =
        conv.inputs.count > 2
        ? (graph.initializers[conv.inputs[2]]?.asFloats() ?? []) : [Float](repeating: 0, count: channels)
      guard b.count == channels else { continue }
      let row = w.count / channels
      for c in 0..<channels {
        for k in (c * row)..<((c + 1) * row) { w[k] *= affine.scale[c] }
        b[c] = b[c] * affine.scale[c] + affine.shift[c]
      }
      let wName = uniqueInitializerName("\(conv.inputs[1])#folded", in: graph)
      graph.initializers[wName] = Tensor(shape: weights.shape, floats: w)
      let bName = uniqueInitializerName("\(conv.name)#folded_bias", in: graph)
      graph.initializers[bName] = Tensor(shape: [channels], floats: b)
      graph.nodes[index].inputs = [conv.inputs[0], wName, bName]
      graph.nodes[index].outputs = bn.outputs
      removed.insert(list[0])
    }
    guard !removed.isEmpty else { return (model, 0) }
    graph.nodes = graph.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    let read = Set(graph.nodes.flatMap(\.inputs))
    graph.initializers = graph.initializers.filter { read.contains($0.key) }
    graph.valueInfo = [:]
    return (try Model.resolving(graph, provenance: model.provenance), removed.count)
  }

  /// Inference BatchNormalization as `x · scale + shift` per channel; nil when a parameter is not constant.
  static func affine(_ bn: Node, epsilon: Float, in graph: Graph) -> (scale: [Float], shift: [Float])? {
    guard bn.inputs.count == 5 else { return nil }
    let parameters = bn.inputs[1...].compactMap { graph.initializers[$0]?.asFloats() }
    guard parameters.count == 4, Set(parameters.map(\.count)).count == 1 else { return nil }
    let (gamma, beta, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
    var scale = gamma
    var shift = beta
    for c in gamma.indices {
      scale[c] = gamma[c] / (variance[c] + epsilon).squareRoot()
      shift[c] = beta[c] - mean[c] * scale[c]
    }
    return (scale, shift)
  }

  /// `base`, or `base#2`, ... when a value or initializer of that name exists.
  static func uniqueInitializerName(_ base: String, in graph: Graph) -> String {
    func taken(_ name: String) -> Bool {
      graph.initializers[name] != nil || graph.valueInfo[name] != nil
        || graph.nodes.contains { $0.outputs.contains(name) } || graph.inputs.contains { $0.name == name }
    }
    if !taken(base) { return base }
    var n = 2
    while taken("\(base)#\(n)") { n += 1 }
    return "\(base)#\(n)"
  }
}
