/// Runs a `QuantizedGraph` the way a TFLite Micro device does: int8 (or int16x8) tensors, int32 / int64
/// accumulators and TFLite's fixed-point requantization, with the exact kernels of `IntegerKernels`.
///
/// Built once for a graph, a batch size and a thread count: every node is validated (anything the kernels
/// cannot run is an error naming the node), its parameters are computed as TFLite Micro's `Prepare` computes
/// them, INT4 weights are unpacked into int8 once (as TFLite Micro does), and activation buffers are planned
/// once per element type and reused by every pass. `run` quantizes a float input with the input tensor's
/// parameters (TFLite's QUANTIZE), runs the nodes in order and dequantizes the outputs, so every figure
/// computed from its results is the device's. Layers kept in float run on the float kernels between the
/// graph's DEQUANTIZE and QUANTIZE nodes. Not thread-safe: use one executor per thread of control.
public final class IntegerExecutor {
  /// The graph being run.
  public let graph: QuantizedGraph
  /// Samples per pass (the last pass may be smaller).
  public let batchSize: Int
  /// Threads used by the kernels.
  public let threads: Int
  /// The runtime whose integer arithmetic this executor reproduces.
  public let arithmetic: IntegerArithmetic
  /// The name of the graph's (single) input.
  public let inputName: String
  /// Bytes of the planned activation buffers.
  public var arenaBytes: Int { plan.bytes }

  /// The kernel of every node, in execution order.
  let kernels: [IntegerNodeKernel]
  /// The buffer plan.
  let plan: IntegerBufferPlan
  /// Activation slots by element type.
  let int8Slots: [UnsafeMutablePointer<Int8>]
  /// int16 activation slots.
  let int16Slots: [UnsafeMutablePointer<Int16>]
  /// float32 activation slots.
  let floatSlots: [UnsafeMutablePointer<Float>]
  /// int8 constants: weights (int4 unpacked) and constant operands.
  let int8Constants: [String: UnsafeMutablePointer<Int8>]
  /// int16 constant operands (int16x8).
  let int16Constants: [String: UnsafeMutablePointer<Int16>]
  /// int32 biases.
  let int32Constants: [String: UnsafeMutablePointer<Int32>]
  /// int64 biases (int16x8).
  let int64Constants: [String: UnsafeMutablePointer<Int64>]
  /// Float constants of layers kept in float.
  let floatConstants: [String: UnsafeMutablePointer<Float>]
  /// What each node needs made once (packed weights, lookup tables), by node index.
  let preparations: [IntegerNodePreparation]
  /// The workspace of the convolution kernels, sized for the largest node at the planned batch.
  let workspace: UnsafeMutableRawPointer
  /// im2col scratch of float convolutions.
  let floatScratch: UnsafeMutablePointer<Float>
  /// Concrete shapes by batch size.
  var shapeCache: [Int: [String: [Int]]] = [:]
  /// The concrete shapes of the pass under way (nil between passes), for `activation(_:)`.
  var passShapes: [String: [Int]]?

  /// Prepares to run `graph` in passes of up to `batchSize` samples with `threads` threads, rounding as
  /// `arithmetic`'s runtime does (TFLite Micro's reference kernels unless told otherwise).
  ///
  /// Throws `invalidModel` for an inconsistent graph and `unsupportedOp` for a node the integer kernels
  /// cannot run, naming the node.
  public init(
    graph: QuantizedGraph, batchSize: Int = 32, threads: Int = 1,
    arithmetic: IntegerArithmetic = .tfliteMicro
  ) throws(EngineError) {
    try graph.validate()
    guard graph.inputs.count == 1, let input = graph.inputs.first else {
      throw EngineError(
        .invalidModel,
        "the integer executor runs graphs with exactly one input, this one has \(graph.inputs.count)")
    }
    guard batchSize >= 1 else {
      throw EngineError(.invalidData, "batch size must be at least 1, got \(batchSize)")
    }
    self.graph = graph
    self.batchSize = batchSize
    self.threads = max(1, threads)
    self.arithmetic = arithmetic
    inputName = input
    let preparer = IntegerNodePreparer(graph: graph, arithmetic: arithmetic)
    var kernels: [IntegerNodeKernel] = []
    for node in graph.nodes { kernels.append(try preparer.kernel(node)) }
    self.kernels = kernels
    let plan = try IntegerBufferPlan(graph: graph, batch: batchSize, keep: Set(graph.outputs))
    self.plan = plan
    let constants = try IntegerConstants(graph: graph, kernels: kernels)
    int8Constants = constants.int8
    int16Constants = constants.int16
    int32Constants = constants.int32
    int64Constants = constants.int64
    floatConstants = constants.float32
    int8Slots = (plan.capacities[.int8] ?? []).map { .allocate(capacity: $0) }
    int16Slots = (plan.capacities[.int16] ?? []).map { .allocate(capacity: $0) }
    floatSlots = (plan.capacities[.float32] ?? []).map { .allocate(capacity: $0) }
    let shapes = Self.shapes(graph, batch: batchSize, kernels: kernels)
    var workspaceBytes = 64
    var floatCount = 1
    for (node, kernel) in zip(graph.nodes, kernels) {
      switch kernel {
      case .conv(_, let depthwise):
        let g = try Self.convGeometry(node, shapes: shapes, depthwise: depthwise)
        workspaceBytes = max(
          workspaceBytes, Self.workspaceBytes(g, Int8.self, depthwise, threads: self.threads))
      case .conv16x8(_, let depthwise):
        let g = try Self.convGeometry(node, shapes: shapes, depthwise: depthwise)
        workspaceBytes = max(
          workspaceBytes, Self.workspaceBytes(g, Int16.self, depthwise, threads: self.threads))
      case .averagePool(let o, _), .maxPool(let o, _):
        _ = try Self.poolGeometry(node, shapes: shapes, o)
      case .fullyConnected:
        let g = try Self.fullyConnectedGeometry(node, shapes: shapes)
        workspaceBytes = max(workspaceBytes, IntegerKernels.convolutionWorkspaceBytes(g, Int8.self))
      case .fullyConnected16x8:
        let g = try Self.fullyConnectedGeometry(node, shapes: shapes)
        workspaceBytes = max(workspaceBytes, IntegerKernels.convolutionWorkspaceBytes(g, Int16.self))
      case .add, .mul:
        try Self.checkBroadcast(node, shapes: shapes)
      case .float(let floatNode, _, _):
        do {
          floatCount = max(
            floatCount, try StepBuilder.scratchCount(floatNode, shapes: shapes, threads: self.threads))
        } catch {
          throw IntegerNodePreparer.error(node, error.message)
        }
      default:
        break
      }
    }
    preparations = Self.preparations(graph, kernels: kernels, constants: constants, shapes: shapes)
    workspace = .allocate(byteCount: workspaceBytes, alignment: 64)
    floatScratch = .allocate(capacity: floatCount)
    shapeCache[batchSize] = shapes
  }

  deinit {
    for p in int8Slots { p.deallocate() }
    for p in int16Slots { p.deallocate() }
    for p in floatSlots { p.deallocate() }
    for p in int8Constants.values { p.deallocate() }
    for p in int16Constants.values { p.deallocate() }
    for p in int32Constants.values { p.deallocate() }
    for p in int64Constants.values { p.deallocate() }
    for p in floatConstants.values { p.deallocate() }
    workspace.deallocate()
    floatScratch.deallocate()
  }

  /// Runs the graph on `input` (float32, samples along the first axis) and returns the outputs dequantized
  /// to float32 (TFLite's DEQUANTIZE), in the graph's output order.
  ///
  /// `isCancelled` is polled before every node; when it returns true the run throws `cancelled`.
  public func run(input: Tensor, isCancelled: () -> Bool = { false }) throws(EngineError) -> [Tensor] {
    try execute(input: input, isCancelled: isCancelled, observing: false) { _ in }.map(Self.dequantized)
  }

  /// Runs the graph and shows `visit` every activation (integer codes, or floats in float layers) right
  /// after it is produced, the input first; the view is valid only during the call. Returns the dequantized
  /// outputs.
  public func run(
    input: Tensor, isCancelled: () -> Bool = { false }, visit: (IntegerActivationView) -> Void
  ) throws(EngineError) -> [Tensor] {
    try execute(input: input, isCancelled: isCancelled, observing: true, visit: visit).map(Self.dequantized)
  }

  /// Runs the graph and returns the outputs as the device holds them: integer codes with their parameters.
  public func runIntegers(
    input: Tensor, isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> [IntegerOutput] {
    try execute(input: input, isCancelled: isCancelled, observing: false) { _ in }
  }

  /// An output as float32: codes dequantized as TFLite's DEQUANTIZE does, floats as they are.
  static func dequantized(_ output: IntegerOutput) -> Tensor {
    guard output.elementType != .float32, let q = output.quantization else {
      return Tensor(shape: output.shape, floats: output.floats)
    }
    let scale = Double(q.scale)
    let zero = Int32(clamping: q.zeroPoint)
    return Tensor(shape: output.shape, floats: output.codes.map { Float(scale * Double($0 &- zero)) })
  }

  /// The shape of every activation at `batch` samples (the first axis replaced), of every constant, and of
  /// the constants made for float layers.
  static func shapes(
    _ graph: QuantizedGraph, batch: Int, kernels: [IntegerNodeKernel]
  ) -> [String: [Int]] {
    var shapes: [String: [Int]] = [:]
    for case .float(_, _, let made) in kernels {
      for (name, values) in made { shapes[name] = [values.count] }
    }
    for (name, tensor) in graph.tensors {
      if tensor.isConstant || tensor.shape.isEmpty {
        shapes[name] = tensor.shape
      } else {
        shapes[name] = [batch] + tensor.shape.dropFirst()
      }
    }
    return shapes
  }
}

extension IntegerExecutor {
  /// Runs the graph and copies the named activations, dequantized to float32 (TFLite's DEQUANTIZE), every
  /// pass concatenated along the first axis: the device's intermediate values for per-layer error reports.
  ///
  /// Throws `invalidData` for a name that is not an activation of the graph.
  public func run(
    input: Tensor, recording names: Set<String>, isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> ExecutionResult {
    for name in names.sorted() where plan.locations[name] == nil {
      throw EngineError(
        .invalidData, "value '\(name)' cannot be recorded: it is not an activation of the graph")
    }
    var parts: [String: (shape: [Int], values: [Float])] = [:]
    let outputs = try execute(input: input, isCancelled: isCancelled, observing: !names.isEmpty) { view in
      guard names.contains(view.name) else { return }
      if var part = parts[view.name] {
        part.shape[0] += view.shape.first ?? 0
        part.values.append(contentsOf: view.dequantized())
        parts[view.name] = part
      } else {
        parts[view.name] = (view.shape, view.dequantized())
      }
    }
    return ExecutionResult(
      outputs: outputs.map(Self.dequantized),
      recorded: parts.mapValues { Tensor(shape: $0.shape, floats: $0.values) })
  }
}
