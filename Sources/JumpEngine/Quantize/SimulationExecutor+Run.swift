extension SimulationExecutor {
  /// The shared body of the `run` variants.
  func execute(
    input: Tensor, isCancelled: () -> Bool, visit: (ActivationView) -> Void
  ) throws(EngineError) -> [Tensor] {
    let (n, sampleSize) = try graph.checkedBatch(input, for: inputName)
    let source = input.floats ?? input.asFloats()
    var collected: [[Float]] = Array(repeating: [], count: graph.outputs.count)
    var outputShapes: [[Int]] = Array(repeating: [], count: graph.outputs.count)
    var start = 0
    while start < n {
      let b = min(batchSize, n - start)
      let (shapes, values) = try pass(
        source, offset: start * sampleSize, batch: b, isCancelled: isCancelled, visit: visit)
      for (index, name) in graph.outputs.enumerated() {
        guard let shape = shapes[name], let part = values[name] else {
          throw EngineError(.invalidModel, "output '\(name)' was not produced")
        }
        if start == 0 { outputShapes[index] = shape } else { outputShapes[index][0] += b }
        collected[index].append(contentsOf: part)
      }
      start += b
    }
    return zip(outputShapes, collected).map { Tensor(shape: $0.0, floats: $0.1) }
  }

  /// Runs one pass of `batch` samples; returns the output shapes and values.
  private func pass(
    _ source: [Float], offset: Int, batch: Int, isCancelled: () -> Bool, visit: (ActivationView) -> Void
  ) throws(EngineError) -> (shapes: [String: [Int]], outputs: [String: [Float]]) {
    let state = try source.withUnsafeBufferPointer { all throws(EngineError) -> SimulationBatch in
      guard let base = all.baseAddress else { throw EngineError(.invalidData, "input has no samples") }
      return try begin(base + offset, batch: batch, visit: visit)
    }
    for (index, node) in graph.nodes.enumerated() {
      if isCancelled() { throw EngineError(.cancelled, "cancelled") }
      try advance(state, node: node, at: index, visit: visit)
    }
    var outputs: [String: [Float]] = [:]
    for name in graph.outputs {
      guard let view = state.view(name) else { continue }
      outputs[name] = Array(view.values)
    }
    return (state.shapes, outputs)
  }

  /// Starts a batch of `batch` samples read from `samples`: the input, fake-quantized and shown to `visit`.
  func begin(
    _ samples: UnsafePointer<Float>, batch: Int, visit: (ActivationView) -> Void
  ) throws(EngineError) -> SimulationBatch {
    let state = SimulationBatch(count: batch, constantShapes: constantShapes)
    let input = try allocate(inputName, in: state)
    Kernels.copy(samples, input, (state.shapes[inputName] ?? []).reduce(1, *))
    try finish(inputName, in: state, visit: visit)
    return state
  }

  /// Runs `node`, the node at `index` of the graph, on `state`: allocates its outputs, applies the fused
  /// activation, fake-quantizes and shows the outputs, then frees the inputs this node read last.
  func advance(
    _ state: SimulationBatch, node: QuantizedNode, at index: Int, visit: (ActivationView) -> Void
  ) throws(EngineError) {
    for output in node.outputs { _ = try allocate(output, in: state) }
    let pointer: (String) -> UnsafeMutablePointer<Float>? = { state.buffers[$0] ?? self.constants[$0] }
    try runNode(node, shapes: state.shapes, pointer: pointer)
    if let ratios = wideRatios[node.name], let output = node.outputs.first, let p = state.buffers[output],
      let shape = state.shapes[output]
    {
      applyWideRequantizationRatio(ratios, to: p, shape: shape)
    }
    let activation = node.op.activation
    if activation != .none, let output = node.outputs.first, let p = state.buffers[output],
      let shape = state.shapes[output]
    {
      let (low, high) = activation.bounds
      for i in 0..<shape.reduce(1, *) {
        let v = p[i]
        p[i] = v < low ? low : (v > high ? high : v)
      }
    }
    for output in node.outputs { try finish(output, in: state, visit: visit) }
    for name in Set(node.inputs) where lastReader[name] == index && !graphOutputs.contains(name) {
      state.buffers.removeValue(forKey: name)?.deallocate()
    }
    state.nextNode = index + 1
  }

  /// Allocates the buffer of an activation at the batch's size.
  private func allocate(
    _ name: String, in state: SimulationBatch
  ) throws(EngineError) -> UnsafeMutablePointer<
    Float
  > {
    let tensor = try graph.tensor(name)
    let shape = [state.count] + tensor.shape.dropFirst()
    state.shapes[name] = shape
    let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(shape.reduce(1, *), 1))
    state.buffers.removeValue(forKey: name)?.deallocate()
    state.buffers[name] = pointer
    return pointer
  }

  /// Fake-quantizes a freshly produced activation and shows it to `visit`.
  private func finish(
    _ name: String, in state: SimulationBatch, visit: (ActivationView) -> Void
  ) throws(EngineError) {
    guard let view = state.view(name), let pointer = state.buffers[name] else { return }
    let tensor = try graph.tensor(name)
    if quantizesActivations, let q = tensor.quantization, let range = tensor.elementType.integerRange {
      Self.fakeQuantize(
        pointer, count: view.values.count, scale: q.scale, zeroPoint: q.zeroPoint, range: range)
    }
    visit(view)
  }

  /// Computes one node into its (already allocated) output buffers.
  private func runNode(
    _ node: QuantizedNode, shapes: [String: [Int]],
    pointer: @escaping (String) -> UnsafeMutablePointer<Float>?
  ) throws(EngineError) {
    guard let input = node.inputs.first, let x = pointer(input), let output = node.outputs.first,
      let y = pointer(output), let xShape = shapes[input], let yShape = shapes[output]
    else { throw EngineError(.invalidModel, "node '\(node.name)' has no operand buffers") }
    switch node.op {
    case .quantize, .dequantize:
      Kernels.copy(x, y, yShape.reduce(1, *))
      return
    case .pad(let pads):
      IntegerExecutor.pad(x, shape: xShape, pads: pads, value: Float(0), output: y, outputShape: yShape)
      return
    case .mean:
      if try deviceMean(node, x: x, xShape: xShape, y: y) { return }
    case .averagePool2D(let options):
      if try averagePoolOnCodes(node, options, shapes: shapes, input: x, output: y) { return }
    default:
      break
    }
    let floatNode = try equivalentNode(node, shapes: shapes)
    let needed = try StepBuilder.scratchCount(floatNode, shapes: shapes, threads: threads)
    if needed > scratchCount {
      scratch?.deallocate()
      scratch = .allocate(capacity: needed)
      scratchCount = needed
    }
    let builder = StepBuilder(shapes: shapes, pointer: pointer, scratch: scratch, threads: threads)
    try builder.build(PlannedNode(node: floatNode)).run(threads: threads)
  }

  /// The float graph node that computes what `node` computes (fused activations applied separately).
  func equivalentNode(_ node: QuantizedNode, shapes: [String: [Int]]) throws(EngineError) -> Node {
    if case .float(let original) = node.op {
      if let override = floatOverrides[node.name] { return override }
      var floatNode = original
      floatNode.inputs = node.inputs
      floatNode.outputs = node.outputs
      return floatNode
    }
    let weightShape = node.inputs.count > 1 ? shapes[node.inputs[1]] : nil
    guard
      let op = try node.floatOp(
        inputShape: node.inputs.first.flatMap { shapes[$0] }, weightShape: weightShape)
    else {
      throw EngineError(.invalidModel, "node '\(node.name)': \(node.op.tfliteName) has no float node")
    }
    return Node(name: node.name, op: op, inputs: node.inputs, outputs: node.outputs)
  }

  /// Rounds values onto the grid `(q - zeroPoint) * scale` with `q` clamped to `range`, in place.
  ///
  /// Rounding is half away from zero, as TFLite's reference QUANTIZE. The loop has no library call so it
  /// vectorizes (`rounded()` is a call to `roundf` on baseline x86-64): quotients are first clamped to one
  /// step beyond the grid (rounding is monotonic, so the final clamp gives the same `q`), rounded half to
  /// even by adding and subtracting 1.5·2²³, and ties moved away from zero. The result equals
  /// `((v / scale).rounded() + zeroPoint)` clamped, bit for bit; NaN stays NaN.
  static func fakeQuantize(
    _ values: UnsafeMutablePointer<Float>, count: Int, scale: Float, zeroPoint: Int64,
    range: ClosedRange<Int64>
  ) {
    guard scale > 0 else { return }
    let zero = Float(zeroPoint)
    let low = Float(range.lowerBound)
    let high = Float(range.upperBound)
    let below = low - zero - 1
    let above = high - zero + 1
    let magic: Float = 12_582_912  // 1.5 * 2^23: adding it leaves no fraction bits
    guard above < 4_194_304, below > -4_194_304 else {
      // Grids wider than 2^22 steps (no activation type has one): the plain loop.
      for i in 0..<count {
        var q = (values[i] / scale).rounded() + zero
        q = q < low ? low : (q > high ? high : q)
        values[i] = (q - zero) * scale
      }
      return
    }
    for i in 0..<count {
      let v = values[i]
      var u = v / scale
      u = u < below ? below : (u > above ? above : u)
      u = u == u ? u : 0
      let even = (u + magic) - magic
      let difference = u - even
      let tie = difference == 0.5 || difference == -0.5
      let rounded = tie ? u + (u < 0 ? -0.5 : 0.5) : even
      var q = rounded + zero
      q = q < low ? low : (q > high ? high : q)
      values[i] = v == v ? (q - zero) * scale : v
    }
  }
}
