/// Shape and type inference for every `Op`.
///
/// Each function receives the node's input descriptions in input order and returns its output
/// descriptions. Symbolic dimensions propagate (a batch dimension stays `batch`); a mismatch between fixed
/// dimensions is an `invalidModel` error naming the node.
enum ShapeInference {
  /// Infers the outputs of `node` from its inputs; `constants` gives initializer values where needed.
  static func infer(
    _ node: Node, inputs: [ValueInfo], constants: [String: Tensor]
  ) throws(EngineError)
    -> [ValueInfo]
  {
    let context = Context(node: node, inputs: inputs)
    let outputs = try context.outputShapes()
    guard outputs.count == node.outputs.count else {
      throw context.error("produces \(outputs.count) output(s), the node declares \(node.outputs.count)")
    }
    return zip(node.outputs, outputs).map { ValueInfo(name: $0.0, shape: $0.1.shape, dtype: $0.1.dtype) }
  }

  /// The per-node state shared by the op-specific rules.
  struct Context {
    let node: Node
    let inputs: [ValueInfo]

    /// An `invalidModel` error naming the node and its op.
    func error(_ detail: String) -> EngineError {
      EngineError(.invalidModel, "node '\(node.name)' (\(node.op.onnxName)): \(detail)")
    }

    /// The input at `index`, or an error if the node has too few inputs.
    func input(_ index: Int) throws(EngineError) -> ValueInfo {
      guard index < inputs.count else {
        throw error("expects at least \(index + 1) input(s), got \(inputs.count)")
      }
      return inputs[index]
    }

    /// The input at `index` with its rank checked.
    func input(_ index: Int, rank: Int) throws(EngineError) -> ValueInfo {
      let value = try input(index)
      guard value.shape.count == rank else {
        throw error(
          "input '\(value.name)' must have rank \(rank), has shape \(ValueInfo.format(value.shape))")
      }
      return value
    }

    /// `axis` normalized into `0..<rank`, or an error.
    func normalize(axis: Int, rank: Int) throws(EngineError) -> Int {
      let a = axis < 0 ? axis + rank : axis
      guard a >= 0 && a < rank else { throw error("axis \(axis) is out of range for rank \(rank)") }
      return a
    }

    /// Dispatches on the op.
    func outputShapes() throws(EngineError) -> [(shape: [Dim], dtype: DType)] {
      switch node.op {
      case .relu, .clip, .hardSwish, .hardSigmoid, .sigmoid:
        let x = try input(0)
        return [(x.shape, x.dtype)]
      case .softmax(let axis):
        let x = try input(0)
        _ = try normalize(axis: axis, rank: x.shape.count)
        return [(x.shape, x.dtype)]
      case .add, .sub, .mul, .div:
        let a = try input(0)
        let b = try input(1)
        guard a.dtype == b.dtype else {
          throw error("input types differ: '\(a.name)' is \(a.dtype), '\(b.name)' is \(b.dtype)")
        }
        return [(try broadcast(a.shape, b.shape), a.dtype)]
      case .batchNormalization:
        return [try batchNorm()]
      case .conv(let attributes):
        return [try conv(attributes)]
      case .gemm(let attributes):
        return [try gemm(attributes)]
      case .matMul:
        return [try matMul()]
      case .maxPool(let attributes), .averagePool(let attributes):
        return [try pool(attributes)]
      case .globalAveragePool:
        let x = try input(0)
        guard x.shape.count >= 3 else {
          throw error("input must be N x C x spatial, got \(ValueInfo.format(x.shape))")
        }
        return [(Array(x.shape.prefix(2)) + Array(repeating: .fixed(1), count: x.shape.count - 2), x.dtype)]
      case .reduceMean(let axes, let keepDims):
        return [try reduceMean(axes: axes, keepDims: keepDims)]
      case .flatten(let axis):
        return [try flatten(axis: axis)]
      case .reshape(let shape, let allowZero):
        return [try reshape(shape, allowZero: allowZero)]
      case .squeeze(let axes):
        return [try squeeze(axes)]
      case .unsqueeze(let axes):
        return [try unsqueeze(axes)]
      case .concat(let axis):
        return [try concat(axis: axis)]
      case .transpose(let perm):
        return [try transpose(perm)]
      }
    }

    /// NumPy broadcasting of two shapes.
    func broadcast(_ a: [Dim], _ b: [Dim]) throws(EngineError) -> [Dim] {
      let rank = max(a.count, b.count)
      let pa = Array(repeating: Dim.fixed(1), count: rank - a.count) + a
      let pb = Array(repeating: Dim.fixed(1), count: rank - b.count) + b
      var result: [Dim] = []
      for (x, y) in zip(pa, pb) {
        switch (x, y) {
        case _ where x == y: result.append(x)
        case (.fixed(1), _): result.append(y)
        case (_, .fixed(1)): result.append(x)
        case (.symbolic, .fixed): result.append(y)
        case (.fixed, .symbolic), (.symbolic, .symbolic): result.append(x)
        default:
          throw error("cannot broadcast \(ValueInfo.format(a)) with \(ValueInfo.format(b))")
        }
      }
      return result
    }

    /// Checks that two dimensions can be equal (symbolic dimensions match anything).
    func expectEqual(_ a: Dim, _ b: Dim, _ what: String) throws(EngineError) {
      if let x = a.value, let y = b.value, x != y { throw error("\(what): \(x) vs \(y)") }
    }
  }
}

/// A product of dimensions kept as a fixed factor times a multiset of symbols.
struct DimProduct: Equatable {
  /// The product of the fixed dimensions.
  var fixed: Int = 1
  /// The symbolic dimensions, sorted.
  var symbols: [String] = []

  /// The product of `dims`.
  init(_ dims: some Sequence<Dim>) {
    for d in dims {
      switch d {
      case .fixed(let v): fixed *= v
      case .symbolic(let s): symbols.append(s)
      }
    }
    symbols.sort()
  }

  /// The product as a single dimension (`batch*3` when symbolic).
  var dim: Dim {
    if symbols.isEmpty { return .fixed(fixed) }
    if fixed == 1 && symbols.count == 1 { return .symbolic(symbols[0]) }
    let parts = symbols + (fixed == 1 ? [] : [String(fixed)])
    return .symbolic(parts.joined(separator: "*"))
  }

  /// `self / other`, or nil when it does not divide exactly.
  func dividing(by other: DimProduct) -> DimProduct? {
    guard other.fixed != 0, fixed % other.fixed == 0 else { return nil }
    var remaining = symbols
    for s in other.symbols {
      guard let i = remaining.firstIndex(of: s) else { return nil }
      remaining.remove(at: i)
    }
    var result = DimProduct([])
    result.fixed = fixed / other.fixed
    result.symbols = remaining
    return result
  }
}
