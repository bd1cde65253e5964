/// Post-training quantization of a lowered graph, given the range of every activation.
///
/// Follows the TFLite integer spec (DESIGN §5, REFERENCES §1):
/// - activations per tensor, asymmetric int8 (symmetric int16 in int16x8), ranges widened to include 0;
///   the output range of an op with a fused activation is first clamped to what the activation allows
///   (a fused RELU6 output never gets codes above 6), as TFLite folds the activation into the clamp;
/// - weights symmetric in [-127, 127] ([-7, 7] for int4), one scale per output channel along axis 0 of
///   OIHW / `[out, in]` filters, or one per tensor with `perChannel = false`. A depthwise filter
///   `[C·m, 1, kh, kw]` is quantized along its axis 0 too, which is TFLite's `quantized_dimension = 3` of
///   the 1HWO filter the exporter writes;
/// - bias int32 (int64 in int16x8) with `scale[c] = s_in · s_w[c]`, zero point 0;
/// - LOGISTIC and SOFTMAX outputs fixed at (1/256, -128) (int16: 1/32768, 0);
/// - RESHAPE, MAX/AVERAGE_POOL_2D and PAD outputs share their input's parameters; CONCATENATION takes the
///   union of its inputs' ranges and its inputs are made to share it: a free-parameter producer read by the
///   concat alone adopts the shared parameters, any other input is requantized by a QUANTIZE op;
/// - constant operands of ADD / SUB / MUL / CONCATENATION are quantized like activations, from their values.
///
/// Layers kept in float (`QuantizedOp.float`, or named by `options.skip`) keep float32 tensors, with
/// DEQUANTIZE before and QUANTIZE after them. Graph inputs and outputs of quantized ops are integer.
public enum Quantizer {
  /// Quantizes `lowered` with `ranges` (min...max of every activation tensor, by name, as calibration gives).
  ///
  /// Ranges of tensors lowering created, or missing for ops whose output follows from their inputs, are
  /// derived (`RangeInference`). Throws `invalidData` naming the first tensor with no range and no way to
  /// derive one, or a non-finite range.
  public static func quantize(
    _ lowered: LoweredGraph, ranges: [String: ClosedRange<Float>], options: QuantizationOptions = .init()
  ) throws(EngineError) -> QuantizedGraph {
    var pass = QuantizerPass(source: lowered.graph, ranges: ranges, options: options)
    return try pass.run()
  }
}

/// The state of one quantization pass.
struct QuantizerPass {
  /// The lowered float graph.
  let source: QuantizedGraph
  /// Activation ranges: given, then derived as the pass meets tensors.
  var ranges: [String: ClosedRange<Float>]
  /// The options.
  let options: QuantizationOptions
  /// The tensors of the quantized graph.
  var tensors: [String: QuantizedTensor] = [:]
  /// The nodes of the quantized graph.
  var nodes: [QuantizedNode] = []
  /// For a tensor read in the other domain, the name of its converted copy (`x#quantized`, `x#dequantized`).
  var converted: [String: String] = [:]
  /// How many nodes read each activation of the source graph.
  let readerCounts: [String: Int]

  init(source: QuantizedGraph, ranges: [String: ClosedRange<Float>], options: QuantizationOptions) {
    self.source = source
    self.ranges = ranges
    self.options = options
    var counts: [String: Int] = [:]
    for node in source.nodes {
      for input in node.inputs { counts[input, default: 0] += 1 }
    }
    readerCounts = counts
  }

  /// The activation element type.
  var activationType: QuantizedElementType { options.precision.activationType }

  /// Runs the pass.
  mutating func run() throws(EngineError) -> QuantizedGraph {
    for input in source.inputs {
      var tensor = try source.tensor(input)
      tensor.elementType = activationType
      tensor.quantization = try parameters(forRange: try range(of: input, producer: nil))
      tensors[input] = tensor
    }
    for node in source.nodes {
      if case .float = node.op {
        try keepFloat(node)
      } else if options.skip.matches(node) {
        try keepFloat(node)
      } else {
        try quantize(node)
      }
    }
    let graph = QuantizedGraph(
      name: source.name, tensors: tensors, inputs: source.inputs, outputs: source.outputs, nodes: nodes)
    try graph.validate()
    return graph
  }

  // MARK: - Ranges and parameters

  /// The range of an activation: given, or derived from its producer's inputs.
  mutating func range(of name: String, producer: QuantizedNode?) throws(EngineError) -> ClosedRange<Float> {
    if let given = ranges[name] {
      guard given.lowerBound.isFinite, given.upperBound.isFinite else {
        throw EngineError(.invalidData, "tensor '\(name)' has a non-finite range \(given)")
      }
      return given
    }
    let sourceTensors = source.tensors
    if let producer,
      let derived = RangeInference.outputRange(
        producer, range: { ranges[$0] }, constant: { sourceTensors[$0]?.dequantizedValues() })
    {
      ranges[name] = derived
      return derived
    }
    let by = producer.map { " (written by '\($0.name)', \($0.op.tfliteName))" } ?? ""
    throw EngineError(
      .invalidData,
      "tensor '\(name)'\(by) has no calibration range; calibrate the model before quantizing it")
  }

  /// Activation parameters for `range` in this pass's activation type.
  func parameters(forRange range: ClosedRange<Float>) throws(EngineError) -> QuantizationParameters {
    try QuantizationRules.activationParameters(
      low: range.lowerBound, high: range.upperBound, type: activationType)
  }

  // MARK: - Tensors

  /// Adds a tensor, reusing an identical one of the same name or renaming on a clash.
  mutating func add(_ tensor: QuantizedTensor) -> String {
    if let existing = tensors[tensor.name] {
      if existing == tensor { return tensor.name }
      var n = 2
      while let other = tensors["\(tensor.name)#\(n)"], other != tensor { n += 1 }
      var renamed = tensor
      renamed.name = "\(tensor.name)#\(n)"
      tensors[renamed.name] = renamed
      return renamed.name
    }
    tensors[tensor.name] = tensor
    return tensor.name
  }

  /// True for a tensor that is an integer activation in the quantized graph.
  func isQuantizedActivation(_ name: String) -> Bool {
    guard let tensor = tensors[name] else { return false }
    return !tensor.isConstant && tensor.elementType != .float32
  }

  /// Appends a node.
  mutating func emit(_ node: QuantizedNode) { nodes.append(node) }

  // MARK: - Float islands

  /// Keeps a node in float: its activation inputs are dequantized, constants and outputs stay float32.
  mutating func keepFloat(_ node: QuantizedNode) throws(EngineError) {
    var rewritten = node
    for (i, input) in node.inputs.enumerated() {
      let tensor = try source.tensor(input)
      if tensor.isConstant {
        rewritten.inputs[i] = add(tensor)
      } else if isQuantizedActivation(input) {
        rewritten.inputs[i] = try dequantized(input)
      }
    }
    for output in node.outputs { tensors[output] = try source.tensor(output) }
    emit(rewritten)
  }

  /// The float copy of a quantized activation, made once by a DEQUANTIZE.
  mutating func dequantized(_ name: String) throws(EngineError) -> String {
    if let existing = converted[name] { return existing }
    let tensor = try source.tensor(name)
    let copy = add(QuantizedTensor(name: "\(name)#dequantized", shape: tensor.shape))
    emit(QuantizedNode(name: "\(name)#dequantize", op: .dequantize, inputs: [name], outputs: [copy]))
    converted[name] = copy
    return copy
  }

  /// The integer copy of a float activation (the output of a float layer), made once by a QUANTIZE.
  mutating func quantized(_ name: String) throws(EngineError) -> String {
    if let existing = converted[name] { return existing }
    let tensor = try source.tensor(name)
    let copy = add(
      QuantizedTensor(
        name: "\(name)#quantized", shape: tensor.shape, elementType: activationType,
        quantization: try parameters(forRange: try range(of: name, producer: source.producer(of: name)))))
    emit(QuantizedNode(name: "\(name)#quantize", op: .quantize, inputs: [name], outputs: [copy]))
    converted[name] = copy
    return copy
  }
}
