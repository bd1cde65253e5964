/// Runs a model in float32 on batches, with every buffer planned once.
///
/// Built once for a model, a batch size and a thread count: it fuses what it can (Conv + BatchNormalization
/// + activation), plans one activation arena for the largest batch with liveness-based reuse, copies the
/// weights into one block, and resolves every kernel's sizes and pointers. Runs then only execute kernels;
/// nothing is allocated per op. A symbolic batch dimension takes the batch size; a model with a fixed batch
/// runs in chunks of that batch. An executor is not thread-safe: use one per thread of control.
public final class FloatExecutor {
  /// The model being run.
  public let model: Model
  /// Samples per pass: the planned batch size, or the model's own batch when it is fixed.
  public let batchSize: Int
  /// Threads used by the kernels and by OpenBLAS.
  public let threads: Int
  /// The name of the model's (single) input.
  public let inputName: String
  /// The names of the model outputs, in order.
  public let outputNames: [String]
  /// The values `run(input:recording:)` can record and the visitor sees.
  public let observableValues: Set<String>
  /// The size of the activation arena in bytes.
  public var arenaBytes: Int { arenaCount * MemoryLayout<Float>.stride }

  /// The graph as run (fused nodes, folded constants).
  let fused: FusedGraph
  /// Where every value lives.
  let plan: BufferPlan
  /// The model's own batch size when its input's first dimension is fixed.
  let fixedBatch: Int?
  /// The activation arena.
  let arena: UnsafeMutablePointer<Float>
  /// The arena size in floats.
  let arenaCount: Int
  /// The block of constants (weights, folded parameters).
  let constants: UnsafeMutablePointer<Float>
  /// The offset of each constant in `constants`.
  let constantOffsets: [String: Int]
  /// Where in `constants` the Winograd transform of a Winograd convolution's constant weight starts, by
  /// node name: computed once here rather than on every run.
  let winogradFilterOffsets: [String: Int]
  /// im2col scratch for the convolutions, nil when none needs it.
  let scratch: UnsafeMutablePointer<Float>?
  /// Steps and shapes by batch size (the planned size and at most one other).
  var stepCache: [Int: (steps: [ExecutionStep], shapes: [String: [Int]])] = [:]

  /// Plans execution of `model` for batches of up to `batchSize` samples on `threads` threads.
  ///
  /// Throws `invalidModel` for more than one input, symbolic dimensions other than the batch, or a non-float
  /// value, and `unsupportedOp` for ops the kernels cannot run (3-D convolutions, ...).
  public init(
    model: Model, batchSize: Int, threads: Int = 1, observing: ObservedValues = .outputsOnly
  ) throws(EngineError) {
    let graph = model.graph
    guard graph.inputs.count == 1, let input = graph.inputs.first else {
      throw EngineError(
        .invalidModel,
        "the float executor runs models with exactly one input, this one has \(graph.inputs.count)")
    }
    guard batchSize >= 1 else {
      throw EngineError(.invalidData, "batch size must be at least 1, got \(batchSize)")
    }
    self.model = model
    self.threads = max(1, threads)
    inputName = input.name
    outputNames = graph.outputs.map(\.name)
    fixedBatch = ConcreteShapes.fixedBatch(of: graph)
    self.batchSize = fixedBatch ?? batchSize
    var shapes = try ConcreteShapes.resolve(graph, batch: self.batchSize)
    try Self.checkFloat(graph)
    let keep: Set<String>
    switch observing {
    case .outputsOnly: keep = []
    case .all: keep = Set(graph.valueInfo.keys)
    case .named(let names): keep = names
    }
    fused = FusedGraph.make(graph, keep: { keep.contains($0) })
    for (name, tensor) in fused.constants where shapes[name] == nil { shapes[name] = tensor.shape }
    // Constants: one block holding every float constant a node reads.
    var offsets: [String: Int] = [:]
    var total = 0
    for planned in fused.nodes {
      for name in planned.node.inputs where offsets[name] == nil {
        guard let tensor = fused.constants[name] else { continue }
        offsets[name] = total
        total += (tensor.count + 15) / 16 * 16
      }
    }
    // Then the Winograd transforms of constant convolution weights.
    var winograd: [String: (offset: Int, geometry: ConvGeometry, weight: Int)] = [:]
    for planned in fused.nodes {
      guard let g = try StepBuilder.convGeometry(planned.node, shapes: shapes), Kernels.usesWinograd(g),
        let weight = offsets[planned.node.inputs[1]]
      else { continue }
      winograd[planned.node.name] = (total, g, weight)
      total += (Kernels.winogradFilterCount(g) + 15) / 16 * 16
    }
    let block = UnsafeMutablePointer<Float>.allocate(capacity: max(total, 1))
    for (name, offset) in offsets {
      let values = fused.constants[name]?.asFloats() ?? []
      values.withUnsafeBufferPointer { buffer in
        if let base = buffer.baseAddress { Kernels.copy(base, block + offset, buffer.count) }
      }
    }
    for entry in winograd.values {
      Kernels.winogradFilters(entry.geometry, block + entry.weight, block + entry.offset)
    }
    constants = block
    constantOffsets = offsets
    winogradFilterOffsets = winograd.mapValues(\.offset)
    plan = BufferPlan.make(
      nodes: fused.nodes, sizes: shapes.mapValues { $0.reduce(1, *) }, inputs: [input.name],
      outputs: outputNames, constants: Set(offsets.keys))
    arenaCount = plan.count
    arena = .allocate(capacity: max(plan.count, 1))
    arena.initialize(repeating: 0, count: max(plan.count, 1))
    var scratchCount = 0
    for planned in fused.nodes {
      scratchCount = max(
        scratchCount, try StepBuilder.scratchCount(planned.node, shapes: shapes, threads: self.threads))
    }
    scratch = scratchCount > 0 ? .allocate(capacity: scratchCount) : nil
    var visible = Set([input.name] + outputNames)
    for planned in fused.nodes { visible.formUnion(planned.node.outputs) }
    observableValues = visible
    stepCache[self.batchSize] = (try buildSteps(shapes), shapes)
  }

  deinit {
    arena.deallocate()
    constants.deallocate()
    scratch?.deallocate()
  }

  /// Runs the model on `input` (samples along the first axis) and returns the outputs in order.
  ///
  /// Any number of samples is accepted: they run in passes of at most `batchSize` (a smaller last pass is
  /// fine). `isCancelled` is polled before every op; when it returns true the run throws `cancelled`.
  public func run(input: Tensor, isCancelled: () -> Bool = { false }) throws(EngineError) -> [Tensor] {
    try execute(input: input, isCancelled: isCancelled, observing: false, visit: { _ in })
  }

  /// Runs the model and copies the named values (inputs, outputs or intermediates) as they are produced.
  ///
  /// Throws `invalidData` for a name that is not an observable value of this executor (see `observing:`).
  public func run(
    input: Tensor, recording names: Set<String>, isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> ExecutionResult {
    for name in names.sorted() where !observableValues.contains(name) {
      throw EngineError(
        .invalidData,
        "value '\(name)' cannot be recorded: it is not a value of the model or was fused away (create the executor with observing: .all)"
      )
    }
    var parts: [String: (shape: [Int], values: [Float])] = [:]
    var mismatch: String? = nil
    let outputs = try execute(input: input, isCancelled: isCancelled, observing: true) { view in
      guard names.contains(view.name) else { return }
      if var part = parts[view.name] {
        if part.shape.dropFirst() != view.shape.dropFirst() { mismatch = view.name }
        part.shape[0] += view.shape.first ?? 0
        part.values.append(contentsOf: view.values)
        parts[view.name] = part
      } else {
        parts[view.name] = (view.shape, Array(view.values))
      }
    }
    if let mismatch {
      throw EngineError(
        .invalidData, "value '\(mismatch)' changes shape between batches and cannot be concatenated")
    }
    return ExecutionResult(
      outputs: outputs, recorded: parts.mapValues { Tensor(shape: $0.shape, floats: $0.values) })
  }

  /// Runs the model and shows `visit` every observable value right after it is produced, without copying.
  public func run(
    input: Tensor, isCancelled: () -> Bool = { false }, visit: (ActivationView) -> Void
  ) throws(EngineError) -> [Tensor] {
    try execute(input: input, isCancelled: isCancelled, observing: true, visit: visit)
  }
}
