/// Runs a `QuantizedGraph` in float32 with fake quantization: the simulation of what the device computes.
///
/// Weights and biases are used dequantized (`(q - zp) * scale`), and every quantized activation is rounded
/// onto its integer grid and clamped to its type's range (quantize, then dequantize) as soon as it is
/// produced, after the op's fused activation. The arithmetic in between is float, so outputs differ from the
/// integer executor's only by the rounding inside integer kernels: within one quantization step.
///
/// A lowered graph (every tensor float32, no parameters) runs as plain float through the same code, which
/// is how lowering is checked against the float model. Ops run on the float kernels through `StepBuilder`
/// (each lowered op is re-expressed as the equivalent float `Node`); PAD, QUANTIZE and DEQUANTIZE are done
/// here, and so is a quantized AVERAGE_POOL_2D, on its integer codes with the device's rounding (it is
/// exact in integers, and a float mean would round its ties differently). Buffers are allocated per pass and freed after their last reader, so the peak is close to the
/// largest set of live activations. Not thread-safe: use one executor per thread of control.
public final class SimulationExecutor {
  /// The graph being run.
  public let graph: QuantizedGraph
  /// Samples per pass.
  public let batchSize: Int
  /// Threads used by the kernels.
  public let threads: Int
  /// Whether activations are fake-quantized (false isolates the error of the weights alone).
  public let quantizesActivations: Bool
  /// The name of the graph's (single) input.
  public let inputName: String

  /// Every constant as real values (dequantized when integer).
  let constants: [String: UnsafeMutablePointer<Float>]
  /// The shapes of the constants.
  let constantShapes: [String: [Int]]
  /// For each activation, the index of the last node reading it.
  let lastReader: [String: Int]
  /// The graph's outputs, kept to the end of a pass.
  let graphOutputs: Set<String>
  /// Float nodes rewritten for the kernels (BatchNormalization as a per-channel affine), by node name.
  let floatOverrides: [String: Node]
  /// Per-channel output ratios of the int16 weighted layers, by node name (`wideRequantizationRatios`).
  let wideRatios: [String: [Float]]
  /// im2col scratch, grown on demand.
  var scratch: UnsafeMutablePointer<Float>?
  /// The scratch size in floats.
  var scratchCount = 0

  /// Prepares to run `graph` in passes of up to `batchSize` samples.
  ///
  /// Throws `invalidModel` for a graph that is not valid, has more than one input, or has an integer
  /// constant without parameters or a per-channel activation.
  public init(
    graph: QuantizedGraph, batchSize: Int = 32, threads: Int = 1, quantizeActivations: Bool = true
  ) throws(EngineError) {
    try graph.validate()
    guard graph.inputs.count == 1, let input = graph.inputs.first else {
      throw EngineError(
        .invalidModel, "the simulation runs graphs with exactly one input, this one has \(graph.inputs.count)"
      )
    }
    guard batchSize >= 1 else {
      throw EngineError(.invalidData, "batch size must be at least 1, got \(batchSize)")
    }
    self.graph = graph
    self.batchSize = batchSize
    self.threads = max(1, threads)
    quantizesActivations = quantizeActivations
    inputName = input
    var constants: [String: UnsafeMutablePointer<Float>] = [:]
    var shapes: [String: [Int]] = [:]
    for (name, tensor) in graph.tensors {
      if tensor.isConstant {
        guard let values = tensor.dequantizedValues(), values.count == tensor.count else {
          for pointer in constants.values { pointer.deallocate() }
          throw EngineError(
            .invalidModel, "constant '\(name)' cannot be dequantized (missing or bad parameters)")
        }
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { buffer in
          if let base = buffer.baseAddress { pointer.initialize(from: base, count: values.count) }
        }
        constants[name] = pointer
        shapes[name] = tensor.shape
      } else if tensor.quantization?.axis != nil {
        for pointer in constants.values { pointer.deallocate() }
        throw EngineError(.invalidModel, "activation '\(name)' has per-channel parameters; only weights may")
      }
    }
    var overrides: [String: Node] = [:]
    for node in graph.nodes {
      guard case .float(let original) = node.op, case .batchNormalization(let epsilon) = original.op,
        original.inputs.count == 5
      else { continue }
      var parameters: [[Float]] = []
      for name in original.inputs[1...] {
        guard let tensor = graph.tensors[name], let values = tensor.dequantizedValues() else { break }
        parameters.append(values)
      }
      guard parameters.count == 4 else { continue }
      let channels = parameters[0].count
      let scale = UnsafeMutablePointer<Float>.allocate(capacity: max(channels, 1))
      let shift = UnsafeMutablePointer<Float>.allocate(capacity: max(channels, 1))
      for c in 0..<channels {
        scale[c] = parameters[0][c] / (parameters[3][c] + epsilon).squareRoot()
        shift[c] = parameters[1][c] - parameters[2][c] * scale[c]
      }
      let scaleName = "\(node.name)#simulation_scale"
      let shiftName = "\(node.name)#simulation_shift"
      constants[scaleName] = scale
      constants[shiftName] = shift
      shapes[scaleName] = [channels]
      shapes[shiftName] = [channels]
      var rewritten = original
      // The quantized node's operands, not the carried float node's: the quantizer renames island
      // inputs (`x#dequantized`) on the quantized node only.
      rewritten.inputs = [node.inputs[0], scaleName, shiftName]
      rewritten.outputs = node.outputs
      overrides[node.name] = rewritten
    }
    self.constants = constants
    constantShapes = shapes
    floatOverrides = overrides
    var last: [String: Int] = [:]
    for (index, node) in graph.nodes.enumerated() {
      for name in node.inputs where constants[name] == nil { last[name] = index }
    }
    lastReader = last
    graphOutputs = Set(graph.outputs)
    wideRatios = quantizeActivations ? Self.wideRequantizationRatios(graph) : [:]
  }

  deinit {
    for pointer in constants.values { pointer.deallocate() }
    scratch?.deallocate()
  }

  /// Runs the graph on `input` (samples along the first axis) and returns the outputs in order.
  ///
  /// `isCancelled` is polled before every op; when it returns true the run throws `cancelled`.
  public func run(input: Tensor, isCancelled: () -> Bool = { false }) throws(EngineError) -> [Tensor] {
    try execute(input: input, isCancelled: isCancelled, visit: { _ in })
  }

  /// Runs the graph and shows `visit` every activation (fake-quantized when quantized) right after it is
  /// produced; the view is valid only during the call.
  public func run(
    input: Tensor, isCancelled: () -> Bool = { false }, visit: (ActivationView) -> Void
  ) throws(EngineError) -> [Tensor] {
    try execute(input: input, isCancelled: isCancelled, visit: visit)
  }

  /// Runs the graph only to show `visit` every activation, as `run(input:isCancelled:visit:)` does, without
  /// collecting the outputs (a pass that measures activations needs no copy of them).
  public func visit(
    input: Tensor, isCancelled: () -> Bool = { false }, _ visit: (ActivationView) -> Void
  ) throws(EngineError) {
    let (n, sampleSize) = try graph.checkedBatch(input, for: inputName)
    let source = input.floats ?? input.asFloats()
    try source.withUnsafeBufferPointer { all throws(EngineError) in
      guard let base = all.baseAddress else { return }
      var start = 0
      while start < n {
        let b = min(batchSize, n - start)
        let state = try begin(base + start * sampleSize, batch: b, visit: visit)
        for (index, node) in graph.nodes.enumerated() {
          if isCancelled() { throw EngineError(.cancelled, "cancelled") }
          try advance(state, node: node, at: index, visit: visit)
        }
        start += b
      }
    }
  }

  /// Runs the graph and copies the named activations, every pass concatenated along the first axis.
  ///
  /// Throws `invalidData` for a name that is not an activation of the graph.
  public func run(
    input: Tensor, recording names: Set<String>, isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> ExecutionResult {
    for name in names.sorted() where graph.tensors[name] == nil || constants[name] != nil {
      throw EngineError(
        .invalidData, "value '\(name)' cannot be recorded: it is not an activation of the graph")
    }
    var parts: [String: (shape: [Int], values: [Float])] = [:]
    let outputs = try execute(input: input, isCancelled: isCancelled) { view in
      guard names.contains(view.name) else { return }
      if var part = parts[view.name] {
        part.shape[0] += view.shape.first ?? 0
        part.values.append(contentsOf: view.values)
        parts[view.name] = part
      } else {
        parts[view.name] = (view.shape, Array(view.values))
      }
    }
    return ExecutionResult(
      outputs: outputs, recorded: parts.mapValues { Tensor(shape: $0.shape, floats: $0.values) })
  }
}
