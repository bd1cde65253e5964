import ONNXProto

extension ONNXImportBuilder {
  /// Maps an ONNX node onto an `Op` and its data inputs; nil means the node is a no-op to be removed.
  ///
  /// Attribute-like inputs (Reshape shape, axes, Clip bounds) must be constant and are moved into the op.
  func mapOp(
    _ proto: Onnx_NodeProto, _ a: ONNXAttributes, inputs: [String]
  ) throws(EngineError) -> (Op, [String])? {
    let data = inputs.first.map { [$0] } ?? []
    let present = inputs.filter { !$0.isEmpty }
    switch proto.opType {
    case "Relu": return (.relu, data)
    case "Sigmoid": return (.sigmoid, data)
    case "HardSwish": return (.hardSwish, data)
    case "HardSigmoid":
      return (.hardSigmoid(alpha: a.float("alpha", default: 0.2), beta: a.float("beta", default: 0.5)), data)
    case "Add": return (.add, inputs)
    case "Sub": return (.sub, inputs)
    case "Mul": return (.mul, inputs)
    case "Div": return (.div, inputs)
    case "MatMul": return (.matMul, inputs)
    case "GlobalAveragePool": return (.globalAveragePool, data)
    case "Clip":
      if opset < 11 { return (.clip(min: a.float("min"), max: a.float("max")), data) }
      let low = try constantScalar(inputs, 1, a, what: "min")
      let high = try constantScalar(inputs, 2, a, what: "max")
      return (.clip(min: low, max: high), data)
    case "Gemm":
      let attributes = GemmAttributes(
        alpha: a.float("alpha", default: 1), beta: a.float("beta", default: 1),
        transA: a.int("transA", default: 0) != 0, transB: a.int("transB", default: 0) != 0)
      return (.gemm(attributes), present)
    case "BatchNormalization":
      if a.int("training_mode", default: 0) != 0 {
        throw EngineError(
          .unsupportedOp,
          "node '\(a.nodeName)': BatchNormalization in training mode is not supported (opset \(opset))")
      }
      return (.batchNormalization(epsilon: a.float("epsilon", default: 1e-5)), Array(inputs.prefix(5)))
    case "Conv":
      return (.conv(try convAttributes(a, inputs: inputs)), present)
    case "MaxPool", "AveragePool":
      let x = try info(inputs, 0, a)
      guard let kernel = a.ints("kernel_shape") else {
        throw a.error("missing required attribute 'kernel_shape'")
      }
      let ones = Array(repeating: 1, count: kernel.count)
      let strides = a.ints("strides") ?? ones
      let dilations = a.ints("dilations") ?? ones
      let pads = try a.resolvedPads(
        kernel: kernel, strides: strides, dilations: dilations, spatial: Array(x.shape.dropFirst(2)))
      let attributes = PoolAttributes(
        kernel: kernel, strides: strides, pads: pads, dilations: dilations,
        ceilMode: a.int("ceil_mode", default: 0) != 0,
        countIncludePad: a.int("count_include_pad", default: 0) != 0)
      return (proto.opType == "MaxPool" ? .maxPool(attributes) : .averagePool(attributes), data)
    case "ReduceMean":
      var axes = a.ints("axes")
      if opset >= 18 && inputs.count > 1 && !inputs[1].isEmpty {
        axes = try constantInts(inputs[1], a, what: "axes")
      }
      if axes?.isEmpty == true { axes = nil }
      if axes == nil && a.int("noop_with_empty_axes", default: 0) != 0 { return nil }
      return (.reduceMean(axes: axes, keepDims: a.int("keepdims", default: 1) != 0), data)
    case "Flatten":
      return (.flatten(axis: a.int("axis", default: 1)), data)
    case "Reshape":
      guard inputs.count > 1, !inputs[1].isEmpty else { throw a.error("missing the shape input") }
      let allowZero = a.int("allowzero", default: 0) != 0
      return (.reshape(shape: try reshapeTarget(inputs, allowZero: allowZero, a), allowZero: allowZero), data)
    case "Squeeze":
      var axes = a.ints("axes")
      if opset >= 13 && inputs.count > 1 && !inputs[1].isEmpty {
        axes = try constantInts(inputs[1], a, what: "axes")
      }
      return (.squeeze(axes: axes), data)
    case "Unsqueeze":
      var axes = a.ints("axes")
      if opset >= 13 {
        guard inputs.count > 1, !inputs[1].isEmpty else { throw a.error("missing the axes input") }
        axes = try constantInts(inputs[1], a, what: "axes")
      }
      guard let axes else { throw a.error("missing required attribute 'axes'") }
      return (.unsqueeze(axes: axes), data)
    case "Concat":
      return (.concat(axis: try a.requiredInt("axis")), present)
    case "Transpose":
      return (.transpose(perm: a.ints("perm")), data)
    case "Softmax":
      let axis = a.int("axis", default: opset < 13 ? 1 : -1)
      if opset < 13 {
        let rank = try info(inputs, 0, a).shape.count
        guard axis == rank - 1 || axis == -1 else {
          throw EngineError(
            .unsupportedOp,
            "node '\(a.nodeName)': Softmax over axis \(axis) of a rank-\(rank) input before opset 13 is not supported (opset \(opset))"
          )
        }
      }
      return (.softmax(axis: axis), data)
    default:
      throw EngineError(
        .unsupportedOp, "node '\(a.nodeName)': unsupported op '\(proto.opType)' (opset \(opset))")
    }
  }

  /// The shape of input `index`, or an error naming the node.
  func info(_ inputs: [String], _ index: Int, _ a: ONNXAttributes) throws(EngineError) -> ValueInfo {
    guard index < inputs.count, let info = infos[inputs[index]] else {
      throw a.error("input \(index) is missing or has no known shape")
    }
    return info
  }

  /// Conv attributes with kernel taken from the weight when absent and auto_pad resolved.
  func convAttributes(_ a: ONNXAttributes, inputs: [String]) throws(EngineError) -> ConvAttributes {
    let x = try info(inputs, 0, a)
    let w = try info(inputs, 1, a)
    var kernel = a.ints("kernel_shape")
    if kernel == nil {
      guard let fixed = w.fixedShape, fixed.count >= 3 else {
        throw a.error("weight '\(w.name)' needs a fixed shape")
      }
      kernel = Array(fixed.dropFirst(2))
    }
    let k = kernel ?? []
    let ones = Array(repeating: 1, count: k.count)
    let strides = a.ints("strides") ?? ones
    let dilations = a.ints("dilations") ?? ones
    let pads = try a.resolvedPads(
      kernel: k, strides: strides, dilations: dilations, spatial: Array(x.shape.dropFirst(2)))
    return ConvAttributes(
      kernel: k, strides: strides, pads: pads, dilations: dilations, group: a.int("group", default: 1))
  }

  /// The Reshape target with symbolic entries turned into `0` (copy the same input dimension) or `-1`.
  func reshapeTarget(_ inputs: [String], allowZero: Bool, _ a: ONNXAttributes) throws(EngineError) -> [Int] {
    guard let value = known(inputs[1]) else {
      throw EngineError(
        .unsupportedOp,
        "node '\(a.nodeName)': Reshape to a shape computed at run time is not supported (opset \(opset))")
    }
    let source = infos[inputs[0]]?.shape ?? []
    var target: [Int] = []
    for (i, e) in value.elements.enumerated() {
      switch e {
      case .symbol(let s):
        target.append(!allowZero && i < source.count && source[i] == .symbolic(s) ? 0 : -1)
      default:
        target.append(Int(clamping: e.int ?? 0))
      }
    }
    guard target.filter({ $0 == -1 }).count <= 1 else {
      throw EngineError(
        .unsupportedOp,
        "node '\(a.nodeName)': Reshape target \(value.elements) has more than one unresolved symbolic dimension (opset \(opset))"
      )
    }
    return target
  }
}
