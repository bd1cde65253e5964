/// The constants of a `QuantizedGraph` in the memory the integer kernels read, made once per executor.
struct IntegerConstants {
  /// int8 weights (int4 weights unpacked to one value per byte) and int8 constant operands.
  var int8: [String: UnsafeMutablePointer<Int8>] = [:]
  /// int16 constant operands.
  var int16: [String: UnsafeMutablePointer<Int16>] = [:]
  /// int32 biases.
  var int32: [String: UnsafeMutablePointer<Int32>] = [:]
  /// int64 biases.
  var int64: [String: UnsafeMutablePointer<Int64>] = [:]
  /// Real values of the constants of float layers.
  var float32: [String: UnsafeMutablePointer<Float>] = [:]

  /// Copies `values` into new memory.
  static func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
    let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
    values.withUnsafeBufferPointer { buffer in
      if let base = buffer.baseAddress { pointer.initialize(from: base, count: values.count) }
    }
    return pointer
  }

  /// Gathers the constants every node reads, in the form its kernel needs.
  init(graph: QuantizedGraph, kernels: [IntegerNodeKernel]) throws(EngineError) {
    do throws(EngineError) {
      for (node, kernel) in zip(graph.nodes, kernels) {
        for name in node.inputs {
          guard let tensor = graph.tensors[name], let data = tensor.data else { continue }
          if case .float(_, _, let made) = kernel {
            for (madeName, values) in made where float32[madeName] == nil {
              float32[madeName] = Self.copy(values)
            }
            guard float32[name] == nil else { continue }
            guard let values = tensor.dequantizedValues(), values.count == tensor.count else {
              throw IntegerNodePreparer.error(
                node, "constant '\(name)' cannot be read as float", .invalidModel)
            }
            float32[name] = Self.copy(values)
            continue
          }
          if case .concatenation = kernel {
            throw IntegerNodePreparer.error(node, "constant input '\(name)' of a concatenation")
          }
          try add(name, tensor: tensor, data: data, node: node)
        }
      }
    } catch {
      release()
      throw error
    }
  }

  /// Adds one integer constant.
  mutating func add(
    _ name: String, tensor: QuantizedTensor, data: ConstantData, node: QuantizedNode
  ) throws(EngineError) {
    switch (tensor.elementType, data) {
    case (.int8, .int8(let v)):
      if int8[name] == nil { int8[name] = Self.copy(v) }
    case (.int4, .int8(let v)):
      guard int8[name] == nil else { return }
      // As on the device: the weights travel packed two per byte and are unpacked into int8 once.
      let packed = try Int4Packing.pack(v)
      int8[name] = Self.copy(try Int4Packing.unpack(packed, count: v.count))
    case (.int16, .int16(let v)):
      if int16[name] == nil { int16[name] = Self.copy(v) }
    case (.int32, .int32(let v)):
      if int32[name] == nil { int32[name] = Self.copy(v) }
    case (.int64, .int64(let v)):
      if int64[name] == nil { int64[name] = Self.copy(v) }
    default:
      throw IntegerNodePreparer.error(
        node, "constant '\(name)' is \(tensor.elementType) but stored otherwise, or has no integer kernel",
        .invalidModel)
    }
  }

  /// Frees everything (on a failed init).
  func release() {
    for p in int8.values { p.deallocate() }
    for p in int16.values { p.deallocate() }
    for p in int32.values { p.deallocate() }
    for p in int64.values { p.deallocate() }
    for p in float32.values { p.deallocate() }
  }
}

extension IntegerExecutor {
  /// The geometry of a CONV_2D / DEPTHWISE_CONV_2D at the given shapes, checked against its output shape.
  static func convGeometry(
    _ node: QuantizedNode, shapes: [String: [Int]], depthwise: Bool
  ) throws(EngineError) -> ConvGeometry {
    switch node.op {
    case .conv2D(let o), .depthwiseConv2D(let o): return try convGeometry(node, shapes: shapes, o, depthwise)
    default: throw IntegerNodePreparer.error(node, "not a convolution", .invalidModel)
    }
  }

  /// The geometry of a convolution with options `o`.
  private static func convGeometry(
    _ node: QuantizedNode, shapes: [String: [Int]], _ o: Conv2DOptions, _ depthwise: Bool
  ) throws(EngineError) -> ConvGeometry {
    guard node.inputs.count == 3, let x = shapes[node.inputs[0]], let w = shapes[node.inputs[1]],
      let y = shapes[node.outputs[0]], x.count == 4, w.count == 4, y.count == 4
    else { throw IntegerNodePreparer.error(node, "convolution operands must be 4-D (NCHW, OIHW)") }
    let group: Int
    if depthwise {
      guard w[1] == 1, x[1] > 0, w[0] % x[1] == 0, w[0] / x[1] == max(o.depthMultiplier, 1) else {
        throw IntegerNodePreparer.error(
          node, "depthwise filter \(w) does not match \(x[1]) channels × multiplier \(o.depthMultiplier)",
          .invalidModel)
      }
      group = x[1]
    } else {
      guard w[1] > 0, x[1] % w[1] == 0, w[0] % (x[1] / w[1]) == 0 else {
        throw IntegerNodePreparer.error(node, "filter \(w) does not fit input \(x)", .invalidModel)
      }
      group = x[1] / w[1]
    }
    guard
      let g = ConvGeometry(
        input: x, outChannels: w[0], output: y, kernel: [w[2], w[3]], strides: o.strides, pads: o.pads,
        dilations: o.dilations, group: group)
    else { throw IntegerNodePreparer.error(node, "unsupported convolution geometry", .invalidModel) }
    try checkWindow(node, g, dilations: [g.dilationHeight, g.dilationWidth], output: y)
    return g
  }

  /// The geometry of a pool at the given shapes.
  static func poolGeometry(
    _ node: QuantizedNode, shapes: [String: [Int]], _ o: Pool2DOptions
  ) throws(EngineError) -> ConvGeometry {
    guard let x = shapes[node.inputs[0]], let y = shapes[node.outputs[0]], x.count == 4, y.count == 4,
      y[1] == x[1],
      let g = ConvGeometry(
        input: x, outChannels: x[1], output: y, kernel: o.kernel, strides: o.strides, pads: o.pads,
        dilations: [1, 1], group: 1)
    else { throw IntegerNodePreparer.error(node, "pooling operands must be 4-D with matching channels") }
    try checkWindow(node, g, dilations: [1, 1], output: y)
    return g
  }

  /// Checks that the output size is what the window geometry gives (a bad graph would read out of bounds).
  static func checkWindow(
    _ node: QuantizedNode, _ g: ConvGeometry, dilations: [Int], output y: [Int]
  ) throws(EngineError) {
    func extent(_ size: Int, _ k: Int, _ s: Int, _ d: Int, _ p0: Int, _ p1: Int) -> Int {
      let span = d * (k - 1) + 1
      let padded = size + p0 + p1
      return padded < span || s < 1 ? 0 : (padded - span) / s + 1
    }
    let h = extent(g.inHeight, g.kernelHeight, g.strideHeight, dilations[0], g.padTop, g.padBottom)
    let w = extent(g.inWidth, g.kernelWidth, g.strideWidth, dilations[1], g.padLeft, g.padRight)
    guard h == y[2], w == y[3], h > 0, w > 0 else {
      throw IntegerNodePreparer.error(
        node, "output \(y) does not match the window geometry (expected \(h)×\(w))", .invalidModel)
    }
  }

  /// The geometry of a FULLY_CONNECTED as a 1 x 1 convolution, after checking its operands: input
  /// `[N, depth]`, filter `[units, depth]`, output `[N, units]`.
  static func fullyConnectedGeometry(
    _ node: QuantizedNode, shapes: [String: [Int]]
  ) throws(EngineError) -> ConvGeometry {
    guard node.inputs.count == 3, let x = shapes[node.inputs[0]], let w = shapes[node.inputs[1]],
      let y = shapes[node.outputs[0]], x.count == 2, w.count == 2, y.count == 2, x[1] == w[1], y[1] == w[0],
      y[0] == x[0], let g = IntegerKernels.fullyConnectedGeometry(batch: x[0], depth: x[1], units: w[0])
    else {
      throw IntegerNodePreparer.error(node, "operands must be [N, depth], [units, depth] and [N, units]")
    }
    return g
  }

  /// Checks that the two inputs of a binary op broadcast to its output shape.
  static func checkBroadcast(_ node: QuantizedNode, shapes: [String: [Int]]) throws(EngineError) {
    guard node.inputs.count == 2, let a = shapes[node.inputs[0]], let b = shapes[node.inputs[1]],
      let y = shapes[node.outputs[0]], let plan = BroadcastPlan(a, b), plan.count == y.reduce(1, *)
    else { throw IntegerNodePreparer.error(node, "inputs do not broadcast to the output shape") }
  }
}
