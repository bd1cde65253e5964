extension IntegerExecutor {
  /// Runs one node at the concrete `shapes` of this pass.
  func runNode(
    _ node: QuantizedNode, _ kernel: IntegerNodeKernel, prepared: IntegerNodePreparation,
    shapes: [String: [Int]]
  ) throws(EngineError) {
    let xName = node.inputs[0]
    let yName = node.outputs[0]
    guard let xShape = shapes[xName], let yShape = shapes[yName] else {
      throw IntegerNodePreparer.error(node, "operand shapes are unknown", .invalidModel)
    }
    let count = yShape.reduce(1, *)
    switch kernel {
    case .conv(let q, let depthwise):
      try convolve(node, q, int8(xName), int8(yName), int32Constants, depthwise, prepared, shapes)
    case .conv16x8(let q, let depthwise):
      try convolve(node, q, int16(xName), int16(yName), int64Constants, depthwise, prepared, shapes)
    case .fullyConnected(let q):
      try convolve(node, q, int8(xName), int8(yName), int32Constants, false, prepared, shapes)
    case .fullyConnected16x8(let q):
      try convolve(node, q, int16(xName), int16(yName), int64Constants, false, prepared, shapes)
    case .add, .mul:
      let plan = try broadcastPlan(node, shapes: shapes)
      if let a = int8(node.inputs[0]), let b = int8(node.inputs[1]), let y = int8(yName) {
        switch (prepared, kernel) {
        case (.table(let table), _): IntegerKernels.lookUp(table, plan, a: a, b: b, output: y)
        case (_, .add(let parameters)):
          IntegerKernels.add(plan, a: a, b: b, output: y, parameters: parameters)
        case (_, .mul(let parameters)):
          IntegerKernels.mul(plan, a: a, b: b, output: y, parameters: parameters)
        default: throw missing(node, xName)
        }
      } else if let a = int16(node.inputs[0]), let b = int16(node.inputs[1]), let y = int16(yName) {
        switch kernel {
        case .add(let parameters): IntegerKernels.add(plan, a: a, b: b, output: y, parameters: parameters)
        case .mul(let parameters): IntegerKernels.mul(plan, a: a, b: b, output: y, parameters: parameters)
        default: throw missing(node, xName)
        }
      } else {
        throw missing(node, xName)
      }
    case .averagePool(let o, let range), .maxPool(let o, let range):
      let g = try Self.poolGeometry(node, shapes: shapes, o)
      var average = false
      if case .averagePool = kernel { average = true }
      if let x = int8(xName), let y = int8(yName) {
        Self.pool(g, x, y, range, average: average)
      } else if let x = int16(xName), let y = int16(yName) {
        Self.pool(g, x, y, range, average: average)
      } else {
        throw missing(node, xName)
      }
    case .mean(let parameters, let first, let axes):
      let outer = xShape[..<first].reduce(1, *)
      let reduced = xShape[first..<(first + axes)].reduce(1, *)
      let inner = xShape[(first + axes)...].reduce(1, *)
      if let x = int8(xName), let y = int8(yName) {
        IntegerKernels.mean(
          x, outer: outer, reduced: reduced, inner: inner, output: y, parameters: parameters)
      } else if let x = int16(xName), let y = int16(yName) {
        IntegerKernels.mean(
          x, outer: outer, reduced: reduced, inner: inner, output: y, parameters: parameters)
      } else {
        throw missing(node, xName)
      }
    case .softmax(let parameters):
      guard let x = int8(xName), let y = int8(yName), xShape.count >= 2 else { throw missing(node, xName) }
      IntegerKernels.softmax(
        x, outer: xShape[0], axis: xShape[1], inner: xShape.dropFirst(2).reduce(1, *), output: y,
        parameters: parameters)
    case .softmax16(let parameters):
      guard let x = int16(xName), let y = int16(yName), xShape.count >= 2 else { throw missing(node, xName) }
      IntegerKernels.softmax(
        x, outer: xShape[0], axis: xShape[1], inner: xShape.dropFirst(2).reduce(1, *), output: y,
        parameters: parameters)
    case .logistic, .hardSwish:
      // Always tabulated when the executor is planned.
      guard let x = int8(xName), let y = int8(yName), case .table(let table) = prepared else {
        throw missing(node, xName)
      }
      IntegerKernels.lookUp(table, x, count: count, output: y)
    case .logistic16(let parameters):
      guard let x = int16(xName), let y = int16(yName) else { throw missing(node, xName) }
      IntegerKernels.logistic(x, count: count, output: y, parameters: parameters)
    case .copy:
      if let x = int8(xName), let y = int8(yName) {
        y.update(from: x, count: count)
      } else if let x = int16(xName), let y = int16(yName) {
        y.update(from: x, count: count)
      } else if let x = float(xName), let y = float(yName) {
        y.update(from: x, count: count)
      } else {
        throw missing(node, xName)
      }
    case .concatenation(let axis, let range):
      try concatenate(node, axis: axis, range: range, shapes: shapes)
    case .pad(let pads, let zeroPoint):
      if let x = int8(xName), let y = int8(yName) {
        Self.pad(
          x, shape: xShape, pads: pads, value: Int8(clamping: zeroPoint), output: y, outputShape: yShape)
      } else if let x = int16(xName), let y = int16(yName) {
        Self.pad(
          x, shape: xShape, pads: pads, value: Int16(clamping: zeroPoint), output: y, outputShape: yShape)
      } else if let x = float(xName), let y = float(yName) {
        Self.pad(x, shape: xShape, pads: pads, value: Float(0), output: y, outputShape: yShape)
      } else {
        throw missing(node, xName)
      }
    case .quantize(let scale, let zeroPoint):
      guard let x = float(xName) else { throw missing(node, xName) }
      if let y = int8(yName) {
        IntegerKernels.quantize(x, count: count, scale: scale, zeroPoint: zeroPoint, output: y)
      } else if let y = int16(yName) {
        IntegerKernels.quantize(x, count: count, scale: scale, zeroPoint: zeroPoint, output: y)
      } else {
        throw missing(node, yName)
      }
    case .requantize(let parameters):
      switch (int8(xName), int16(xName), int8(yName), int16(yName)) {
      case (let x?, _, let y?, _):
        IntegerKernels.requantize(x, count: count, output: y, parameters: parameters)
      case (let x?, _, _, let y?):
        IntegerKernels.requantize(x, count: count, output: y, parameters: parameters)
      case (_, let x?, let y?, _):
        IntegerKernels.requantize(x, count: count, output: y, parameters: parameters)
      case (_, let x?, _, let y?):
        IntegerKernels.requantize(x, count: count, output: y, parameters: parameters)
      default: throw missing(node, xName)
      }
    case .dequantize(let scale, let zeroPoint):
      guard let y = float(yName) else { throw missing(node, yName) }
      if let x = int8(xName) {
        IntegerKernels.dequantize(x, count: count, scale: scale, zeroPoint: zeroPoint, output: y)
      } else if let x = int16(xName) {
        IntegerKernels.dequantize(x, count: count, scale: scale, zeroPoint: zeroPoint, output: y)
      } else {
        throw missing(node, xName)
      }
    case .float(let floatNode, let activation, _):
      let builder = StepBuilder(
        shapes: shapes, pointer: { [unowned self] in self.float($0) }, scratch: floatScratch, threads: threads
      )
      do {
        try builder.build(PlannedNode(node: floatNode)).run(threads: threads)
      } catch {
        throw IntegerNodePreparer.error(node, error.message)
      }
      if activation != .none, let y = float(yName) {
        for i in 0..<count { y[i] = activation.apply(y[i]) }
      }
    }
  }

  /// Runs a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED on `x` into `y` with the executor's workspace
  /// (and, except for depthwise, the weights packed when it was planned).
  func convolve<Element: ConvolutionActivation>(
    _ node: QuantizedNode, _ q: ConvolutionQuantization, _ x: UnsafeMutablePointer<Element>?,
    _ y: UnsafeMutablePointer<Element>?, _ biases: [String: UnsafeMutablePointer<Element.Accumulator>],
    _ depthwise: Bool, _ prepared: IntegerNodePreparation, _ shapes: [String: [Int]]
  ) throws(EngineError) {
    guard let x, let y, let w = int8(node.inputs[1]) else { throw missing(node, node.inputs[0]) }
    let bias = biases[node.inputs[2]]
    let g: ConvGeometry
    if case .fullyConnected = node.op {
      g = try Self.fullyConnectedGeometry(node, shapes: shapes)
    } else {
      g = try Self.convGeometry(node, shapes: shapes, depthwise: depthwise)
    }
    if depthwise {
      IntegerKernels.depthwise(
        g, input: x, weight: w, bias: bias, output: y, quantization: q, workspace: workspace, threads: threads
      )
      return
    }
    guard case .weights(let packed) = prepared else { throw missing(node, node.inputs[1]) }
    IntegerKernels.convolve(
      g, input: x, weights: packed, bias: bias, output: y, quantization: q, workspace: workspace,
      threads: threads)
  }

  /// AVERAGE_POOL_2D or MAX_POOL_2D.
  static func pool<Element: FixedWidthInteger & SignedInteger>(
    _ g: ConvGeometry, _ x: UnsafePointer<Element>, _ y: UnsafeMutablePointer<Element>,
    _ range: ActivationRange,
    average: Bool
  ) {
    if average {
      IntegerKernels.averagePool2d(g, input: x, output: y, range: range)
    } else {
      IntegerKernels.maxPool2d(g, input: x, output: y, range: range)
    }
  }

  /// The broadcast plan of ADD / SUB / MUL at this pass's shapes.
  func broadcastPlan(_ node: QuantizedNode, shapes: [String: [Int]]) throws(EngineError) -> BroadcastPlan {
    guard node.inputs.count == 2, let aShape = shapes[node.inputs[0]], let bShape = shapes[node.inputs[1]],
      let plan = BroadcastPlan(aShape, bShape)
    else { throw missing(node, node.inputs[0]) }
    return plan
  }

  /// CONCATENATION: inputs share the output's parameters, so slices are copied (then clamped by the fused
  /// activation's range).
  func concatenate(
    _ node: QuantizedNode, axis: Int, range: ActivationRange, shapes: [String: [Int]]
  ) throws(EngineError) {
    guard let yShape = shapes[node.outputs[0]] else { throw missing(node, node.outputs[0]) }
    let outer = yShape[..<axis].reduce(1, *)
    let outRow = yShape[axis...].reduce(1, *)
    var offset = 0
    for name in node.inputs {
      guard let shape = shapes[name] else { throw missing(node, name) }
      let row = shape[axis...].reduce(1, *)
      if let x = int8(name), let y = int8(node.outputs[0]) {
        for o in 0..<outer { (y + o * outRow + offset).update(from: x + o * row, count: row) }
      } else if let x = int16(name), let y = int16(node.outputs[0]) {
        for o in 0..<outer { (y + o * outRow + offset).update(from: x + o * row, count: row) }
      } else {
        throw missing(node, name)
      }
      offset += row
    }
    let count = yShape.reduce(1, *)
    if let y = int8(node.outputs[0]), range != .int8 {
      for i in 0..<count { y[i] = Int8(truncatingIfNeeded: range.clamp(Int32(y[i]))) }
    } else if let y = int16(node.outputs[0]), range != .int16 {
      for i in 0..<count { y[i] = Int16(truncatingIfNeeded: range.clamp(Int32(y[i]))) }
    }
  }

  /// PAD of a row-major tensor with `value`; `pads` holds all begins, then all ends.
  static func pad<T>(
    _ x: UnsafePointer<T>, shape: [Int], pads: [Int], value: T, output y: UnsafeMutablePointer<T>,
    outputShape: [Int]
  ) {
    let rank = shape.count
    y.update(repeating: value, count: outputShape.reduce(1, *))
    guard rank > 0, pads.count == 2 * rank else { return }
    let rowLength = shape[rank - 1]
    let rows = shape.dropLast().reduce(1, *)
    var strides = [Int](repeating: 1, count: rank)
    for axis in stride(from: rank - 2, through: 0, by: -1) {
      strides[axis] = strides[axis + 1] * outputShape[axis + 1]
    }
    var index = [Int](repeating: 0, count: max(rank - 1, 0))
    for row in 0..<rows {
      var offset = pads[rank - 1]
      for axis in 0..<(rank - 1) { offset += (index[axis] + pads[axis]) * strides[axis] }
      (y + offset).update(from: x + row * rowLength, count: rowLength)
      var axis = rank - 2
      while axis >= 0 {
        index[axis] += 1
        if index[axis] < shape[axis] { break }
        index[axis] = 0
        axis -= 1
      }
    }
  }
}
