/// Converts a `QuantizedGraph` into a `TFLiteModel`: tensors relaid to NHWC, one or two operators per node.
struct TFLiteGraphWriter {
  /// Where a constant goes, which decides its TFLite shape, data order and `quantized_dimension`.
  enum ConstantRole: Hashable {
    /// Kept as it is (biases, rank-1 and rank-2 constants).
    case asIs
    /// An operand of an elementwise op or concatenation whose output has rank `rank`: padded with leading
    /// ones to that rank, then stored channel-last like an activation.
    case activationLike(rank: Int)
    /// A CONV_2D filter, OIHW → OHWI.
    case convFilter
    /// A DEPTHWISE_CONV_2D filter, `[C·m, 1, kh, kw]` → `[1, kh, kw, C·m]`.
    case depthwiseFilter
    /// A FULLY_CONNECTED filter `[out, in]` whose input columns are reordered (`source[i]`), when the
    /// input was flattened from a channel-last tensor.
    case fullyConnectedFilter(columns: [Int]?)
  }

  /// The graph being written.
  var graph: QuantizedGraph
  /// The file being built.
  var model: TFLiteModel
  /// TFLite tensor indices of activations by name.
  var activations: [String: Int] = [:]
  /// TFLite tensor indices of constants by name and role.
  var constants: [String: [ConstantRole: Int]] = [:]
  /// For a RESHAPE output flattened from a channel-last tensor, the element order it has in the file
  /// (`source[i]`, logical index of the element at position i); its FULLY_CONNECTED readers absorb it.
  var flattenedOrder: [String: [Int]] = [:]

  init(graph: QuantizedGraph) {
    self.graph = graph
    model = TFLiteModel(
      name: graph.name.isEmpty ? "main" : graph.name, description: "JumpStation \(JumpEngineInfo.version)")
  }

  /// Writes every node and the graph's edges.
  mutating func run() throws(EngineError) -> TFLiteModel {
    for input in graph.inputs { _ = try activation(input) }
    for node in graph.nodes { try write(node) }
    model.inputs = try graph.inputs.map { (name) throws(EngineError) in try activation(name) }
    model.outputs = try graph.outputs.map { (name) throws(EngineError) in try activation(name) }
    return model
  }

  // MARK: - Tensors

  /// The TFLite quantization of device-graph parameters, with the per-channel axis given in file terms.
  static func quantization(_ q: QuantizationParameters?, dimension: Int = 0) -> TFLiteModel.Quantization? {
    guard let q else { return nil }
    return TFLiteModel.Quantization(
      scales: q.scales, zeroPoints: q.zeroPoints, dimension: q.isPerChannel ? dimension : 0)
  }

  /// The index of an activation tensor (created on first use), stored channel-last.
  mutating func activation(_ name: String) throws(EngineError) -> Int {
    if let index = activations[name] { return index }
    let tensor = try graph.tensor(name)
    guard !tensor.isConstant else {
      throw EngineError(.invalidModel, "tensor '\(name)' is a constant where an activation is expected")
    }
    let index = model.addTensor(
      .init(
        name: name, shape: TFLiteLayout.channelLast(tensor.shape), type: TFLiteTensorType(tensor.elementType),
        buffer: 0, quantization: Self.quantization(tensor.quantization)))
    activations[name] = index
    return index
  }

  /// The index of a new activation tensor the file needs and the graph does not have (a PAD's output).
  mutating func extraActivation(
    _ name: String, logicalShape: [Int], like template: QuantizedTensor
  ) -> Int {
    model.addTensor(
      .init(
        name: name, shape: TFLiteLayout.channelLast(logicalShape),
        type: TFLiteTensorType(template.elementType),
        buffer: 0, quantization: Self.quantization(template.quantization)))
  }

  /// The index of an operand that may be an activation or a constant (`role` applies to a constant).
  mutating func operand(_ name: String, role: ConstantRole) throws(EngineError) -> Int {
    let tensor = try graph.tensor(name)
    return tensor.isConstant ? try constant(name, role: role) : try activation(name)
  }

  /// The index of a constant tensor relaid for `role` (each role gets its own copy).
  mutating func constant(_ name: String, role: ConstantRole) throws(EngineError) -> Int {
    if let index = constants[name]?[role] { return index }
    let tensor = try graph.tensor(name)
    guard let data = tensor.data else {
      throw EngineError(.invalidModel, "tensor '\(name)' is an activation where a constant is expected")
    }
    var shape = tensor.shape
    var source: [Int]?
    var dimension = tensor.quantization?.axis ?? 0
    var storedType = tensor.elementType
    switch role {
    case .asIs:
      break
    case .activationLike(let rank):
      guard shape.count <= rank else {
        throw EngineError(
          .unsupportedOp, "constant '\(name)' of shape \(shape) has more axes than its reader")
      }
      shape = Array(repeating: 1, count: rank - shape.count) + shape
      source = TFLiteLayout.channelLastPermutation(shape)
      dimension = TFLiteLayout.channelLastAxis(dimension + rank - tensor.shape.count, rank: rank)
      shape = TFLiteLayout.channelLast(shape)
    case .convFilter:
      guard shape.count == 4 else { throw EngineError(.invalidModel, "filter '\(name)' is not 4-D") }
      source = TFLiteLayout.permutation(shape: shape, order: [0, 2, 3, 1])
      shape = [shape[0], shape[2], shape[3], shape[1]]
    case .depthwiseFilter:
      guard shape.count == 4, shape[1] == 1 else {
        throw EngineError(.invalidModel, "depthwise filter '\(name)' is not [C·m, 1, kh, kw]")
      }
      source = TFLiteLayout.permutation(shape: shape, order: [1, 2, 3, 0])
      shape = [1, shape[2], shape[3], shape[0]]
      dimension = 3
    case .fullyConnectedFilter(let columns):
      guard shape.count == 2 else { throw EngineError(.invalidModel, "filter '\(name)' is not 2-D") }
      // TFLite Micro rejects per-channel INT4 FULLY_CONNECTED filters; it would unpack them to int8 anyway,
      // so the same values stored as int8 compute the same results where the file is meant to run.
      if storedType == .int4, tensor.quantization?.isPerChannel == true { storedType = .int8 }
      if let columns {
        let inner = shape[1]
        guard columns.count == inner else {
          throw EngineError(
            .invalidModel, "filter '\(name)' has \(inner) inputs, its input has \(columns.count)")
        }
        source = (0..<(shape[0] * inner)).map { ($0 / inner) * inner + columns[$0 % inner] }
      }
    }
    let bytes = try TFLiteTensorData.bytes(data, type: storedType, source: source)
    var fileName = name
    if (constants[name]?.count ?? 0) > 0 { fileName += "#\(constants[name]!.count + 1)" }
    let index = model.addTensor(
      .init(
        name: fileName, shape: shape, type: TFLiteTensorType(storedType),
        buffer: model.addBuffer(bytes),
        quantization: Self.quantization(tensor.quantization, dimension: dimension)))
    constants[name, default: [:]][role] = index
    return index
  }

  /// A new int32 constant (axes, shapes, paddings) and its index.
  mutating func int32Constant(_ name: String, shape: [Int], values: [Int]) -> Int {
    let bytes = TFLiteTensorData.littleEndian(values.map { Int32($0) })
    return model.addTensor(.init(name: name, shape: shape, type: .int32, buffer: model.addBuffer(bytes)))
  }

  /// Appends an operator.
  mutating func emit(
    _ op: TFLiteBuiltinOperator, inputs: [Int], outputs: [Int], options: TFLiteBuiltinOptions = .none
  ) {
    model.operators.append(.init(op: op, inputs: inputs, outputs: outputs, options: options))
  }

  // MARK: - Float edges

  /// `model` with float32 inputs and outputs: a QUANTIZE from each new float input to the integer one,
  /// a DEQUANTIZE from each integer output to a new float one. The float tensors take the graph's names,
  /// the integer ones get an `_int` suffix.
  static func floatEdges(_ model: TFLiteModel) -> TFLiteModel {
    var result = model
    var front: [TFLiteModel.Operator] = []
    func floatCopy(of index: Int) -> Int {
      let original = result.tensors[index]
      result.tensors[index].name = original.name + "_int"
      return result.addTensor(.init(name: original.name, shape: original.shape, type: .float32, buffer: 0))
    }
    for (k, index) in model.inputs.enumerated() where model.tensors[index].type != .float32 {
      let float = floatCopy(of: index)
      front.append(.init(op: .quantize, inputs: [float], outputs: [index], options: .quantize))
      result.inputs[k] = float
    }
    for (k, index) in model.outputs.enumerated() where model.tensors[index].type != .float32 {
      let float = floatCopy(of: index)
      result.operators.append(.init(op: .dequantize, inputs: [index], outputs: [float], options: .dequantize))
      result.outputs[k] = float
    }
    result.operators.insert(contentsOf: front, at: 0)
    return result
  }
}
