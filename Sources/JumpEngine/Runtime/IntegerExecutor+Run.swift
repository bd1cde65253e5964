extension IntegerExecutor {
  /// The int8 memory of `name` (activation slot or constant).
  func int8(_ name: String) -> UnsafeMutablePointer<Int8>? {
    if let location = plan.locations[name], location.type == .int8 { return int8Slots[location.slot] }
    return int8Constants[name]
  }

  /// The int16 memory of `name`.
  func int16(_ name: String) -> UnsafeMutablePointer<Int16>? {
    if let location = plan.locations[name], location.type == .int16 { return int16Slots[location.slot] }
    return int16Constants[name]
  }

  /// The float memory of `name`.
  func float(_ name: String) -> UnsafeMutablePointer<Float>? {
    if let location = plan.locations[name], location.type == .float32 { return floatSlots[location.slot] }
    return floatConstants[name]
  }

  /// The view of an activation at `shape`.
  func view(_ name: String, shape: [Int]) -> IntegerActivationView? {
    guard let location = plan.locations[name], let tensor = graph.tensors[name] else { return nil }
    let count = shape.reduce(1, *)
    let values: IntegerValues
    switch location.type {
    case .int8: values = .int8(UnsafeBufferPointer(start: int8Slots[location.slot], count: count))
    case .int16: values = .int16(UnsafeBufferPointer(start: int16Slots[location.slot], count: count))
    case .float32: values = .float32(UnsafeBufferPointer(start: floatSlots[location.slot], count: count))
    }
    return IntegerActivationView(name: name, shape: shape, quantization: tensor.quantization, values: values)
  }

  /// The shared body of the `run` variants: every pass, outputs concatenated. `before` is called with a
  /// node's index right before the node runs (see `run(input:isCancelled:beforeNode:)`).
  func execute(
    input: Tensor, isCancelled: () -> Bool, observing: Bool,
    before: (Int) throws(EngineError) -> Void = { _ in }, visit: (IntegerActivationView) -> Void
  ) throws(EngineError) -> [IntegerOutput] {
    let (n, sampleSize) = try graph.checkedBatch(input, for: inputName)
    let source = input.floats ?? input.asFloats()
    var outputs: [IntegerOutput] = []
    for name in graph.outputs {
      let tensor = try graph.tensor(name)
      outputs.append(
        IntegerOutput(
          name: name, shape: [], elementType: tensor.elementType, quantization: tensor.quantization,
          codes: [],
          floats: []))
    }
    var start = 0
    while start < n {
      if isCancelled() { throw EngineError(.cancelled, "cancelled") }
      let b = min(batchSize, n - start)
      let shapes = shapes(batch: b)
      passShapes = shapes
      defer { passShapes = nil }
      try source.withUnsafeBufferPointer { (all) throws(EngineError) in
        guard let base = all.baseAddress else { return }
        try loadInput(base + start * sampleSize, count: b * sampleSize)
      }
      if observing, let inputShape = shapes[inputName], let v = view(inputName, shape: inputShape) {
        visit(v)
      }
      for (index, node) in graph.nodes.enumerated() {
        if isCancelled() { throw EngineError(.cancelled, "cancelled") }
        try before(index)
        try runNode(node, kernels[index], prepared: preparations[index], shapes: shapes)
        if observing {
          for output in node.outputs {
            if let shape = shapes[output], let v = view(output, shape: shape) { visit(v) }
          }
        }
      }
      for (index, name) in graph.outputs.enumerated() {
        guard let shape = shapes[name], let v = view(name, shape: shape) else {
          throw EngineError(.invalidModel, "output '\(name)' was not produced")
        }
        if start == 0 { outputs[index].shape = shape } else { outputs[index].shape[0] += b }
        switch v.values {
        case .float32(let values): outputs[index].floats.append(contentsOf: values)
        case .int8(let values): outputs[index].codes.append(contentsOf: values.lazy.map { Int32($0) })
        case .int16(let values): outputs[index].codes.append(contentsOf: values.lazy.map { Int32($0) })
        }
      }
      start += b
    }
    return outputs
  }

  /// The concrete shapes at `batch` samples (cached).
  func shapes(batch: Int) -> [String: [Int]] {
    if let cached = shapeCache[batch] { return cached }
    let shapes = Self.shapes(graph, batch: batch, kernels: kernels)
    shapeCache[batch] = shapes
    return shapes
  }

  /// Quantizes (or copies) `count` input floats into the input buffer, as TFLite's QUANTIZE does.
  func loadInput(_ values: UnsafePointer<Float>, count: Int) throws(EngineError) {
    let tensor = try graph.tensor(inputName)
    let scale = tensor.quantization?.scale ?? 1
    let zero = Int32(clamping: tensor.quantization?.zeroPoint ?? 0)
    if let p = int8(inputName) {
      IntegerKernels.quantize(values, count: count, scale: scale, zeroPoint: zero, output: p)
    } else if let p = int16(inputName) {
      IntegerKernels.quantize(values, count: count, scale: scale, zeroPoint: zero, output: p)
    } else if let p = float(inputName) {
      p.update(from: values, count: count)
    } else {
      throw EngineError(.invalidModel, "input '\(inputName)' has no buffer")
    }
  }

  /// An error for an operand without memory of the expected type.
  func missing(_ node: QuantizedNode, _ name: String) -> EngineError {
    IntegerNodePreparer.error(node, "operand '\(name)' has no buffer of the expected type", .invalidModel)
  }
}
