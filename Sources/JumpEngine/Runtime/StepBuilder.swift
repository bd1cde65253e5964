/// Turns planned nodes into `ExecutionStep`s for one batch size: sizes from the concrete shapes, operands
/// from the buffer plan.
struct StepBuilder {
  /// The concrete shape of every value at this batch size.
  let shapes: [String: [Int]]
  /// The memory of a value (arena slot or constant), nil when unknown.
  let pointer: (String) -> UnsafeMutablePointer<Float>?
  /// Per-worker im2col scratch, nil when no convolution needs one.
  let scratch: UnsafeMutablePointer<Float>?
  /// The executor's thread count (sizes the scratch split).
  let threads: Int
  /// The Winograd transform of a convolution node's constant weight, by node name (nil for others: the
  /// kernel then transforms the weight on every run).
  var winogradFilters: (String) -> UnsafePointer<Float>? = { _ in nil }

  /// An `unsupportedOp` error naming the node.
  static func error(_ node: Node, _ detail: String) -> EngineError {
    EngineError(.unsupportedOp, "node '\(node.name)' (\(node.op.onnxName)): \(detail)")
  }

  /// The shape of `value`, or an error naming the node.
  func shape(_ value: String, _ node: Node) throws(EngineError) -> [Int] {
    guard let shape = shapes[value] else { throw Self.error(node, "value '\(value)' has no known shape") }
    return shape
  }

  /// The memory of input `index` of `node`.
  func input(_ node: Node, _ index: Int) throws(EngineError) -> UnsafePointer<Float> {
    guard index < node.inputs.count, let p = pointer(node.inputs[index]) else {
      throw Self.error(node, "input \(index) has no buffer")
    }
    return UnsafePointer(p)
  }

  /// The memory of output 0 of `node`.
  func output(_ node: Node) throws(EngineError) -> UnsafeMutablePointer<Float> {
    guard let name = node.outputs.first, let p = pointer(name) else {
      throw Self.error(node, "output has no buffer")
    }
    return p
  }

  /// The convolution geometry of a Conv node, nil for other nodes.
  static func convGeometry(_ node: Node, shapes: [String: [Int]]) throws(EngineError) -> ConvGeometry? {
    guard case .conv(let a) = node.op else { return nil }
    guard node.inputs.count >= 2, let x = shapes[node.inputs[0]], let w = shapes[node.inputs[1]],
      let output = node.outputs.first, let y = shapes[output]
    else { throw error(node, "operand shapes are unknown") }
    guard
      let g = ConvGeometry(
        input: x, outChannels: w[0], output: y, kernel: a.kernel, strides: a.strides, pads: a.pads,
        dilations: a.dilations, group: a.group)
    else { throw error(node, "only 1-D and 2-D convolutions are supported, input is \(x)") }
    return g
  }

  /// The pooling geometry of a pooling node.
  func poolGeometry(_ node: Node, _ a: PoolAttributes) throws(EngineError) -> ConvGeometry {
    let x = try shape(node.inputs[0], node)
    let y = try shape(node.outputs[0], node)
    guard
      let g = ConvGeometry(
        input: x, outChannels: x[1], output: y, kernel: a.kernel, strides: a.strides, pads: a.pads,
        dilations: a.dilations, group: 1)
    else { throw Self.error(node, "only 1-D and 2-D pooling is supported, input is \(x)") }
    return g
  }

  /// True when a convolution runs on the direct depthwise kernel.
  static func isDepthwise(_ g: ConvGeometry) -> Bool {
    g.group > 1 && g.group == g.inChannels && g.outChannels % g.inChannels == 0
  }

  /// The im2col scratch floats `node` needs at these shapes.
  static func scratchCount(_ node: Node, shapes: [String: [Int]], threads: Int) throws(EngineError) -> Int {
    guard let g = try convGeometry(node, shapes: shapes) else { return 0 }
    if isDepthwise(g) { return Kernels.depthwiseScratchCount(g, threads: threads) }
    return Kernels.conv2dScratchCount(g, threads: threads)
  }

  /// The step for `planned`.
  func build(_ planned: PlannedNode) throws(EngineError) -> ExecutionStep {
    let node = planned.node
    let kernel = try kernel(planned)
    return ExecutionStep(name: node.name, outputs: node.outputs, kernel: kernel)
  }

  private func kernel(_ planned: PlannedNode) throws(EngineError) -> StepKernel {
    let node = planned.node
    guard !node.inputs.isEmpty else { throw Self.error(node, "has no inputs") }
    let x = try input(node, 0)
    let xShape = try shape(node.inputs[0], node)
    let y = try output(node)
    let yShape = try shape(node.outputs[0], node)
    let count = yShape.reduce(1, *)
    switch node.op {
    case .conv:
      guard let g = try Self.convGeometry(node, shapes: shapes) else { throw Self.error(node, "not a conv") }
      let w = try input(node, 1)
      let b = node.inputs.count > 2 ? try input(node, 2) : nil
      if Self.isDepthwise(g) {
        guard let scratch else { throw Self.error(node, "no scratch memory was planned") }
        return .depthwise(g, x, w, b, y, planned.activation, scratch)
      }
      return .conv(
        g, x, w, b, y, planned.activation,
        Kernels.conv2dScratchCount(g, threads: threads) > 0 ? scratch : nil,
        winogradFilters(node.name))
    case .gemm(let a):
      let bShape = try shape(node.inputs[1], node)
      let m = a.transA ? xShape[1] : xShape[0]
      let k = a.transA ? xShape[0] : xShape[1]
      let n = a.transB ? bShape[0] : bShape[1]
      let c = node.inputs.count > 2 ? try input(node, 2) : nil
      let cShape = node.inputs.count > 2 ? try shape(node.inputs[2], node) : []
      return .gemm(a, m, n, k, x, try input(node, 1), c, cShape, y)
    case .matMul:
      return .matMul(x, xShape, try input(node, 1), try shape(node.inputs[1], node), y)
    case .batchNormalization:
      guard node.inputs.count == 3 else {
        throw Self.error(node, "batch normalization parameters must be constant float vectors")
      }
      return .affine(
        x, xShape[0], xShape[1], xShape.dropFirst(2).reduce(1, *), try input(node, 1), try input(node, 2), y)
    case .relu, .clip, .hardSwish, .hardSigmoid, .sigmoid:
      return .activation(Activation(node.op) ?? .none, x, y, count)
    case .add, .sub, .mul, .div:
      let bShape = try shape(node.inputs[1], node)
      guard let op = BinaryOperator(node.op), let plan = BroadcastPlan(xShape, bShape) else {
        throw Self.error(node, "cannot broadcast \(xShape) with \(bShape)")
      }
      return .binary(op, plan, x, try input(node, 1), y)
    case .maxPool(let a):
      return .maxPool(try poolGeometry(node, a), x, y)
    case .averagePool(let a):
      return .averagePool(try poolGeometry(node, a), a.countIncludePad, x, y)
    case .globalAveragePool:
      return .mean(x, xShape[0] * xShape[1], xShape.dropFirst(2).reduce(1, *), 1, y)
    case .reduceMean(let axes, _):
      return reduceMean(x, xShape, axes, y)
    case .softmax(let axis):
      let a = axis < 0 ? axis + xShape.count : axis
      return .softmax(x, xShape[..<a].reduce(1, *), xShape[a], xShape[(a + 1)...].reduce(1, *), y)
    case .transpose(let perm):
      return .transpose(
        TransposePlan(shape: xShape, perm: perm ?? Array((0..<xShape.count).reversed())), x, y)
    case .concat(let axis):
      let a = axis < 0 ? axis + yShape.count : axis
      let outer = yShape[..<a].reduce(1, *)
      var inputs: [UnsafePointer<Float>] = []
      var chunks: [Int] = []
      for index in node.inputs.indices {
        inputs.append(try input(node, index))
        chunks.append(try shape(node.inputs[index], node)[a...].reduce(1, *))
      }
      return .concat(inputs, chunks, outer, y)
    case .flatten, .reshape, .squeeze, .unsqueeze:
      return UnsafeMutablePointer(mutating: x) == y ? .view : .copy(x, y, count)
    }
  }

  /// ReduceMean as a middle-axis mean when the reduced axes (ignoring size-1 axes) are adjacent.
  private func reduceMean(
    _ x: UnsafePointer<Float>, _ shape: [Int], _ axes: [Int]?, _ y: UnsafeMutablePointer<Float>
  ) -> StepKernel {
    let rank = shape.count
    var reduced = [Bool](repeating: axes == nil, count: rank)
    for axis in axes ?? [] { reduced[axis < 0 ? axis + rank : axis] = true }
    let significant = (0..<rank).filter { reduced[$0] && shape[$0] != 1 }
    guard let low = significant.first, let high = significant.last else {
      return .copy(x, y, shape.reduce(1, *))
    }
    if (low...high).allSatisfy({ reduced[$0] || shape[$0] == 1 }) {
      return .mean(
        x, shape[..<low].reduce(1, *), shape[low...high].reduce(1, *), shape[(high + 1)...].reduce(1, *), y)
    }
    return .reduceMean(x, shape, reduced, y)
  }
}
