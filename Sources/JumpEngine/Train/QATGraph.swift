/// How quantization-aware training keeps the activation ranges.
public enum QATRangeMode: String, Sendable, CaseIterable {
  /// An exponential moving average of each batch's min and max (PyTorch's `MovingAverageMinMaxObserver`).
  case ema
  /// A scale per tensor trained by gradient, as in LSQ, with the zero point kept from calibration.
  case learned
}

/// What quantization-aware training simulates: the formats of `QuantizationOptions` and how ranges move.
public struct QATOptions: Sendable, Equatable {
  /// The number formats; int4 means int4 weights in [-7, 7] with int8 activations.
  public var precision: QuantizationPrecision
  /// One weight scale per output channel (true) or per tensor.
  public var perChannel: Bool
  /// Lowered nodes kept in float, as `QuantizationOptions.skip`.
  public var skip: SkipList
  /// How activation ranges follow training.
  public var ranges: QATRangeMode
  /// The weight of a batch's min and max in the moving average (PyTorch's default 0.01).
  public var averagingConstant: Float

  /// Creates options (defaults: int8 per-channel, moving-average ranges).
  public init(
    precision: QuantizationPrecision = .int8, perChannel: Bool = true, skip: SkipList = [],
    ranges: QATRangeMode = .ema, averagingConstant: Float = 0.01
  ) {
    self.precision = precision
    self.perChannel = perChannel
    self.skip = skip
    self.ranges = ranges
    self.averagingConstant = averagingConstant
  }

  /// The options `Quantizer.quantize` converts the trained model with. Bias correction is off: it
  /// measures the mean shift quantization adds to each layer's output and subtracts it, and training
  /// through the same fake quantization has already moved the biases to absorb that shift, so correcting
  /// again would count it twice. Ranges are not narrowed to their readers: the device keeps the grids
  /// training simulated.
  public var quantization: QuantizationOptions {
    QuantizationOptions(
      precision: precision, perChannel: perChannel, skip: skip, biasCorrection: false, equalize: false,
      narrowsToReaders: false)
  }
}

/// What an activation's quantization parameters follow during training.
enum ActivationRangeRule: Sendable, Equatable {
  /// Its own range (moving or learned), clamped by the activation fused into its producer.
  case free(OutputActivation)
  /// Fixed parameters (LOGISTIC and SOFTMAX outputs).
  case fixed(QuantizationParameters)
  /// The parameters of another tensor (RESHAPE, pooling and PAD outputs share their input's).
  case shared(String)
}

/// A float model prepared for quantization-aware training: BatchNormalization folded into the weights,
/// and fake quantization at exactly the tensors and with exactly the parameter rules `Quantizer` uses.
///
/// The model is lowered once to find them: every activation of the lowered graph that is a value of the
/// float model (the graph input and the outputs left after Relu / Relu6 / Clip fusion) is fake-quantized
/// in the forward pass; the filters of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED are fake-quantized
/// per channel (or per tensor) before each pass. Tensors lowering invents (inside HardSigmoid) have no
/// float value and stay float during training; `Quantizer` derives their ranges at conversion.
/// CONCATENATION outputs keep their own range here, where `Quantizer` later takes the union of the inputs'.
public struct QATGraph: Sendable {
  /// The folded float model being trained, with learned scales as extra parameters.
  public private(set) var trainable: TrainableGraph
  /// The options.
  public let options: QATOptions
  /// The quantized activations and their rules.
  let rules: [String: ActivationRangeRule]
  /// The current range of each `.free` activation (moving-average mode).
  public private(set) var ranges: [String: ClosedRange<Float>]
  /// Weight initializers fake-quantized before each pass, with their channel axis (nil: per tensor).
  let weightAxes: [String: Int?]
  /// Learned mode: the parameter holding each learned activation's scale, and its fixed zero point.
  let learnedScales: [String: (parameter: String, zeroPoint: Int64)]
  /// Learned mode: LSQ's gradient scale `1 / sqrt(elements per sample · largest positive code)`.
  let gradientScales: [String: Double]
  /// The ranges the session's calibration gave, kept for tensors QAT does not track.
  let calibrated: [String: ClosedRange<Float>]

  /// Threads for the kernels.
  public var threads: Int {
    get { trainable.threads }
    set { trainable.threads = newValue }
  }

  /// The element type of activations.
  var activationType: QuantizedElementType { options.precision.activationType }

  /// Prepares `model` with `ranges` (a calibration's `closedRanges`) as the starting activation ranges.
  ///
  /// Throws `unsupportedOp` for a model that cannot be lowered or trained, and `invalidData` naming the
  /// first quantized activation without a calibrated range.
  public init(
    model: Model, ranges calibrated: [String: ClosedRange<Float>], options: QATOptions
  ) throws(EngineError) {
    let folded = try BatchNormFolding.fold(model).model
    let lowered = try Lowering.lower(folded, skip: options.skip)
    let graph = folded.graph
    var floatValues = Set(graph.inputs.map(\.name))
    for node in graph.nodes { floatValues.formUnion(node.outputs) }

    var rules: [String: ActivationRangeRule] = [:]
    var weightAxes: [String: Int?] = [:]
    for input in lowered.graph.inputs where floatValues.contains(input) { rules[input] = .free(.none) }
    for node in lowered.graph.nodes {
      let keptFloat: Bool
      if case .float = node.op { keptFloat = true } else { keptFloat = options.skip.matches(node) }
      if keptFloat { continue }
      // An input written by a float layer is quantized by a QUANTIZE op with its own range.
      for input in node.inputs where rules[input] == nil && floatValues.contains(input) {
        if lowered.graph.tensors[input]?.isConstant == false { rules[input] = .free(.none) }
      }
      guard let output = node.outputs.first, floatValues.contains(output) else { continue }
      switch node.op {
      case .logistic, .softmax:
        rules[output] = .fixed(
          QuantizationRules.probabilityParameters(type: options.precision.activationType))
      case .reshape, .maxPool2D, .averagePool2D, .pad:
        if let input = node.inputs.first, rules[input] != nil { rules[output] = .shared(input) }
      case .conv2D, .depthwiseConv2D, .fullyConnected:
        rules[output] = .free(node.op.activation)
        if let (weight, axis) = Self.weight(of: node, in: graph) {
          weightAxes[weight] = options.perChannel ? axis : nil
        }
      default:
        rules[output] = .free(node.op.activation)
      }
    }

    var start: [String: ClosedRange<Float>] = [:]
    for (name, rule) in rules.sorted(by: { $0.key < $1.key }) {
      guard case .free = rule else { continue }
      guard let range = calibrated[name], range.lowerBound.isFinite, range.upperBound.isFinite else {
        throw EngineError(
          .invalidData,
          "tensor '\(name)' has no calibration range; calibrate the model before quantization-aware training")
      }
      start[name] = range
    }

    var learned: [String: (parameter: String, zeroPoint: Int64)] = [:]
    var gradientScales: [String: Double] = [:]
    var trainingGraph = graph
    if options.ranges == .learned {
      let shapes = try ConcreteShapes.resolve(graph, batch: 1)
      let inputs = Set(graph.inputs.map(\.name))
      for (name, range) in start.sorted(by: { $0.key < $1.key }) where !inputs.contains(name) {
        guard case .free(let activation) = rules[name] else { continue }
        let parameters = try QuantizationRules.activationParameters(
          low: RangeInference.clamp(range, to: activation).lowerBound,
          high: RangeInference.clamp(range, to: activation).upperBound, type: options.precision.activationType
        )
        let parameter = BatchNormFolding.uniqueInitializerName("\(name)#qat_scale", in: trainingGraph)
        trainingGraph.initializers[parameter] = Tensor(shape: [1], floats: [parameters.scale])
        learned[name] = (parameter, parameters.zeroPoint)
        let positive =
          Double((options.precision.activationType.integerRange?.upperBound ?? 127))
          - Double(parameters.zeroPoint)
        let elements = Double(shapes[name].map { Tensor.elementCount($0) } ?? 1)
        gradientScales[name] = 1 / (elements * max(positive, 1)).squareRoot()
      }
    }
    trainable = try TrainableGraph(
      model: Model(graph: trainingGraph, provenance: folded.provenance),
      additional: Set(learned.values.map(\.parameter)))
    self.options = options
    self.rules = rules
    self.ranges = start
    self.weightAxes = weightAxes
    learnedScales = learned
    self.gradientScales = gradientScales
    self.calibrated = calibrated
  }

  /// The float initializer a lowered weighted node's filter comes from, and its output-channel axis.
  ///
  /// Conv filters are OIHW (axis 0); Gemm weights are `[out, in]` with `transB` and `[in, out]` without;
  /// MatMul weights are `[in, out]`.
  static func weight(of node: QuantizedNode, in graph: Graph) -> (String, Int)? {
    guard let source = node.sources.first, let float = graph.nodes.first(where: { $0.name == source }) else {
      return nil
    }
    switch float.op {
    case .conv:
      guard float.inputs.count > 1, graph.initializers[float.inputs[1]] != nil else { return nil }
      return (float.inputs[1], 0)
    case .gemm(let a):
      guard float.inputs.count > 1, graph.initializers[float.inputs[1]] != nil else { return nil }
      return (float.inputs[1], a.transB ? 0 : 1)
    case .matMul:
      guard let name = float.inputs.last, let w = graph.initializers[name], w.rank == 2 else { return nil }
      return (name, 1)
    default:
      return nil
    }
  }

  /// The current range of a `.free` activation.
  func range(of name: String) -> ClosedRange<Float>? {
    guard let learned = learnedScales[name] else { return ranges[name] }
    guard let scale = trainable.constants[learned.parameter]?.first,
      let codes = activationType.integerRange
    else { return ranges[name] }
    let z = Float(learned.zeroPoint)
    return ((Float(codes.lowerBound) - z) * scale)...((Float(codes.upperBound) - z) * scale)
  }

  /// The parameters `Quantizer` would give activation `name` now.
  func parameters(of name: String) throws(EngineError) -> QuantizationParameters? {
    switch rules[name] {
    case nil:
      return nil
    case .fixed(let parameters):
      return parameters
    case .shared(let source):
      return try parameters(of: source)
    case .free(let activation):
      guard let range = range(of: name) else { return nil }
      let clamped = RangeInference.clamp(range, to: activation)
      return try QuantizationRules.activationParameters(
        low: clamped.lowerBound, high: clamped.upperBound, type: activationType)
    }
  }

  /// The fake quantizer of every quantized activation, from the current ranges.
  func quantizers() throws(EngineError) -> [String: FakeQuantizer] {
    var result: [String: FakeQuantizer] = [:]
    for name in rules.keys {
      if let parameters = try parameters(of: name) {
        result[name] = FakeQuantizer(parameters, type: activationType)
      }
    }
    return result
  }

  /// The ranges to convert with: the calibration's, with every tracked activation's current range.
  public var finalRanges: [String: ClosedRange<Float>] {
    var result = calibrated
    for name in rules.keys {
      if let range = range(of: name) { result[name] = range }
    }
    return result
  }

  /// The trained float model (BatchNormalization folded), without the learned scales.
  public var floatModel: Model {
    var model = trainable.model
    for learned in learnedScales.values { model.graph.initializers[learned.parameter] = nil }
    return model
  }

  /// The number of quantized activations and weight tensors.
  public var quantizedTensorCount: (activations: Int, weights: Int) { (rules.count, weightAxes.count) }

  /// Converts the trained model to the integer graph PTQ produces: `Quantizer` on the trained float
  /// weights with the final ranges.
  public func convert() throws(EngineError) -> (lowered: LoweredGraph, graph: QuantizedGraph) {
    let lowered = try Lowering.lower(floatModel, skip: options.skip)
    let graph = try Quantizer.quantize(lowered, ranges: finalRanges, options: options.quantization)
    return (lowered, graph)
  }
}

/// One fake-quantized forward pass, with what its backward pass needs.
public struct QATPass: Sendable {
  /// The pass over the model with fake-quantized weights.
  let pass: ForwardPass
  /// That model (its weight constants are the fake-quantized ones).
  let shadow: TrainableGraph
  /// The activation quantizers the pass used.
  let quantizers: [String: FakeQuantizer]
  /// The min and max of each `.free` activation before fake quantization.
  let observed: [String: ClosedRange<Float>]

  /// The model outputs, fake-quantized.
  public var outputs: [Tensor] { pass.outputs }
}

extension QATGraph {
  /// Runs the model on `input` with fake-quantized weights and activations.
  public func forward(_ input: Tensor) throws(EngineError) -> QATPass {
    var shadow = trainable
    let limit = options.precision.weightLimit
    for (name, axis) in weightAxes {
      guard let values = trainable.constants[name], let shape = trainable.constantShapes[name] else {
        continue
      }
      shadow.constants[name] = WeightFakeQuantization.apply(values, shape: shape, axis: axis, limit: limit)
    }
    let quantizers = try quantizers()
    var observed: [String: ClosedRange<Float>] = [:]
    let rules = rules
    // BatchNormalization is folded; any left standalone keeps its running statistics, as after export.
    let pass = try shadow.forward(input, mode: .inference) { name, value in
      guard let quantizer = quantizers[name] else { return nil }
      if case .free = rules[name] { observed[name] = Self.extremes(value) }
      return quantizer.forward(value)
    }
    return QATPass(pass: pass, shadow: shadow, quantizers: quantizers, observed: observed)
  }

  /// Gradients of the trainable weights (straight through the weight fake quantization) and, in learned
  /// mode, of the activation scales (LSQ), for `outputGradients` of `pass`'s outputs.
  public func backward(_ pass: QATPass, outputGradients: [Tensor?]) throws(EngineError) -> Gradients {
    var scaleGradients: [String: Double] = [:]
    let learned = learnedScales
    let gradientScales = gradientScales
    var gradients = try pass.shadow.backward(pass.pass, outputGradients: outputGradients, wantsInput: false) {
      name, original, gradient in
      guard let quantizer = pass.quantizers[name] else { return }
      if learned[name] != nil {
        scaleGradients[name] = quantizer.scaleGradient(original, gradient) * (gradientScales[name] ?? 1)
      }
      quantizer.passThrough(original, &gradient)
    }
    for (name, total) in scaleGradients {
      guard let parameter = learned[name]?.parameter else { continue }
      gradients.values[parameter] = [Float(total)]
    }
    return gradients
  }

  /// One optimizer step, then the moving-average range update from `pass` (moving-average mode).
  public mutating func step(
    _ optimizer: inout Optimizer, gradients: Gradients, learningRate: Float, from pass: QATPass
  ) {
    optimizer.step(&trainable, gradients: gradients, learningRate: learningRate)
    for learned in learnedScales.values {
      // A scale must stay positive; LSQ's gradient keeps it there in practice, this guards the odd step.
      if let scale = trainable.constants[learned.parameter]?.first, !(scale > 1e-8) {
        trainable.constants[learned.parameter] = [1e-8]
      }
    }
    guard options.ranges == .ema else { return }
    let c = options.averagingConstant
    for (name, batch) in pass.observed {
      guard let current = ranges[name] else { continue }
      let low = current.lowerBound + c * (batch.lowerBound - current.lowerBound)
      let high = current.upperBound + c * (batch.upperBound - current.upperBound)
      ranges[name] = low...max(low, high)
    }
  }

  /// The min and max of the finite elements (0...0 when there are none).
  static func extremes(_ value: TrainValue) -> ClosedRange<Float> {
    var low = Float.infinity
    var high = -Float.infinity
    value.values.withPointer { v in
      for i in 0..<value.count where v[i].isFinite {
        low = min(low, v[i])
        high = max(high, v[i])
      }
    }
    return low <= high ? low...high : 0...0
  }
}
