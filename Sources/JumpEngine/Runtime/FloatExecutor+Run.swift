extension FloatExecutor {
  /// Every value a node reads or writes must be float32.
  static func checkFloat(_ graph: Graph) throws(EngineError) {
    for node in graph.nodes {
      for name in node.inputs + node.outputs {
        if let info = graph.info(of: name), info.dtype != .float32 {
          throw EngineError(
            .unsupportedOp,
            "node '\(node.name)' (\(node.op.onnxName)): value '\(name)' is \(info.dtype); the float executor runs float32 graphs only"
          )
        }
      }
    }
  }

  /// The memory of a value: its arena slot, or a constant (aliases followed).
  func pointer(_ name: String) -> UnsafeMutablePointer<Float>? {
    let root = plan.roots[name] ?? name
    if let offset = constantOffsets[root] { return constants + offset }
    if let offset = plan.offsets[name] ?? plan.offsets[root] { return arena + offset }
    return nil
  }

  /// The steps and shapes for a pass of `batch` samples (cached).
  func steps(forBatch batch: Int) throws(EngineError) -> (steps: [ExecutionStep], shapes: [String: [Int]]) {
    if let cached = stepCache[batch] { return cached }
    var shapes = try ConcreteShapes.resolve(model.graph, batch: batch)
    for (name, tensor) in fused.constants where shapes[name] == nil { shapes[name] = tensor.shape }
    let full = try steps(forBatch: batchSize).shapes
    for (name, shape) in shapes where shape.reduce(1, *) > (full[name]?.reduce(1, *) ?? 0) {
      throw EngineError(
        .invalidModel,
        "value '\(name)' grows when the batch shrinks to \(batch); cannot reuse the planned buffers")
    }
    let entry = (try buildSteps(shapes), shapes)
    if stepCache.count > 1 { stepCache = stepCache.filter { $0.key == batchSize } }
    stepCache[batch] = entry
    return entry
  }

  /// Builds the steps for concrete shapes.
  func buildSteps(_ shapes: [String: [Int]]) throws(EngineError) -> [ExecutionStep] {
    let builder = StepBuilder(
      shapes: shapes, pointer: { self.pointer($0) }, scratch: scratch, threads: threads,
      winogradFilters: { name in self.winogradFilterOffsets[name].map { UnsafePointer(self.constants + $0) } }
    )
    var steps: [ExecutionStep] = []
    for planned in fused.nodes { steps.append(try builder.build(planned)) }
    return steps
  }

  /// The shared body of the `run` variants.
  func execute(
    input: Tensor, isCancelled: () -> Bool, observing: Bool, visit: (ActivationView) -> Void
  ) throws(EngineError) -> [Tensor] {
    let planned = try steps(forBatch: batchSize).shapes
    guard let expected = planned[inputName], input.rank == expected.count,
      Array(input.shape.dropFirst()) == Array(expected.dropFirst())
    else {
      let wanted = planned[inputName].map { ["N"] + $0.dropFirst().map(String.init) } ?? []
      throw EngineError(
        .invalidData,
        "input has shape \(input.shape), the model expects [\(wanted.joined(separator: ", "))] for '\(inputName)'"
      )
    }
    let n = input.shape[0]
    guard n > 0 else { throw EngineError(.invalidData, "input has no samples") }
    if fixedBatch != nil && n % batchSize != 0 {
      throw EngineError(
        .invalidData, "the model has a fixed batch of \(batchSize); \(n) samples are not a multiple of it")
    }
    let sampleSize = expected.dropFirst().reduce(1, *)
    let source = input.floats ?? input.asFloats()
    var collected: [[Float]] = Array(repeating: [], count: outputNames.count)
    var outputShapes: [[Int]] = Array(repeating: [], count: outputNames.count)
    var start = 0
    while start < n {
      let b = min(batchSize, n - start)
      if isCancelled() { throw EngineError(.cancelled, "cancelled") }
      let (steps, shapes) = try steps(forBatch: b)
      guard let slot = pointer(inputName) else { throw EngineError(.invalidModel, "the input has no buffer") }
      source.withUnsafeBufferPointer { all in
        if let base = all.baseAddress { Kernels.copy(base + start * sampleSize, slot, b * sampleSize) }
      }
      if observing { show(visit, inputName, shapes) }
      for step in steps {
        if isCancelled() { throw EngineError(.cancelled, "cancelled") }
        step.run(threads: threads)
        if observing { for name in step.outputs { show(visit, name, shapes) } }
      }
      for (index, name) in outputNames.enumerated() {
        guard let shape = shapes[name], let p = pointer(name) else {
          throw EngineError(.invalidModel, "output '\(name)' has no buffer")
        }
        if n > batchSize && shape.first != b {
          throw EngineError(
            .invalidModel,
            "output '\(name)' does not have the batch as its first axis; run at most \(batchSize) samples at once"
          )
        }
        if start == 0 {
          outputShapes[index] = shape
        } else {
          outputShapes[index][0] += b
        }
        collected[index].append(contentsOf: UnsafeBufferPointer(start: p, count: shape.reduce(1, *)))
      }
      start += b
    }
    return zip(outputShapes, collected).map { Tensor(shape: $0.0, floats: $0.1) }
  }

  /// Calls `visit` with a view of `name` when it is observable.
  private func show(_ visit: (ActivationView) -> Void, _ name: String, _ shapes: [String: [Int]]) {
    guard observableValues.contains(name), let shape = shapes[name], let p = pointer(name) else { return }
    visit(
      ActivationView(
        name: name, shape: shape, values: UnsafeBufferPointer(start: p, count: shape.reduce(1, *))))
  }
}
