import ONNXProto

/// Converts IR nodes to ONNX nodes for one opset, collecting the constant inputs it has to add.
struct ONNXNodeWriter {
  /// The target opset.
  let opset: Int
  /// Value names already in use (new constant names avoid them).
  var taken: Set<String>
  /// Constant inputs created for attribute-like values (reshape shapes, axes, clip bounds).
  var extraInitializers: [(String, Tensor)] = []

  /// Creates a writer.
  init(opset: Int, taken: Set<String>) {
    self.opset = opset
    self.taken = taken
  }

  /// The ONNX node for `node`.
  mutating func nodeProto(_ node: Node) -> Onnx_NodeProto {
    var p = Onnx_NodeProto()
    p.name = node.name
    p.opType = node.op.onnxName
    p.input = node.inputs
    p.output = node.outputs
    switch node.op {
    case .conv(let a):
      p.attribute = [
        ints("kernel_shape", a.kernel), ints("strides", a.strides), ints("pads", a.pads),
        ints("dilations", a.dilations), int("group", a.group),
      ]
    case .gemm(let a):
      p.attribute = [
        float("alpha", a.alpha), float("beta", a.beta), int("transA", a.transA ? 1 : 0),
        int("transB", a.transB ? 1 : 0),
      ]
    case .batchNormalization(let epsilon):
      p.attribute = [float("epsilon", epsilon)]
    case .clip(let low, let high):
      if opset < 11 {
        if let low { p.attribute.append(float("min", low)) }
        if let high { p.attribute.append(float("max", high)) }
      } else {
        if let low { p.input.append(constant(node, "min", Tensor(shape: [], floats: [low]))) }
        if let high {
          if low == nil { p.input.append("") }
          p.input.append(constant(node, "max", Tensor(shape: [], floats: [high])))
        }
      }
    case .hardSigmoid(let alpha, let beta):
      p.attribute = [float("alpha", alpha), float("beta", beta)]
    case .maxPool(let a), .averagePool(let a):
      p.attribute = [ints("kernel_shape", a.kernel), ints("strides", a.strides), ints("pads", a.pads)]
      if opset >= 10 { p.attribute.append(int("ceil_mode", a.ceilMode ? 1 : 0)) }
      if case .averagePool = node.op {
        p.attribute.append(int("count_include_pad", a.countIncludePad ? 1 : 0))
        if opset >= 19 && a.dilations.contains(where: { $0 != 1 }) {
          p.attribute.append(ints("dilations", a.dilations))
        }
      } else if opset >= 10 {
        p.attribute.append(ints("dilations", a.dilations))
      }
    case .reduceMean(let axes, let keepDims):
      p.attribute = [int("keepdims", keepDims ? 1 : 0)]
      if let axes {
        if opset < 18 {
          p.attribute.append(ints("axes", axes))
        } else {
          p.input.append(constant(node, "axes", Tensor(shape: [axes.count], int64s: axes.map { Int64($0) })))
        }
      }
    case .flatten(let axis):
      p.attribute = [int("axis", axis)]
    case .reshape(let shape, let allowZero):
      p.input.append(constant(node, "shape", Tensor(shape: [shape.count], int64s: shape.map { Int64($0) })))
      if allowZero && opset >= 14 { p.attribute = [int("allowzero", 1)] }
    case .squeeze(let axes):
      if let axes { axesAttributeOrInput(&p, node, axes) }
    case .unsqueeze(let axes):
      axesAttributeOrInput(&p, node, axes)
    case .concat(let axis):
      p.attribute = [int("axis", axis)]
    case .transpose(let perm):
      if let perm { p.attribute = [ints("perm", perm)] }
    case .softmax(let axis):
      p.attribute = [int("axis", axis)]
    case .matMul, .relu, .hardSwish, .sigmoid, .add, .sub, .mul, .div, .globalAveragePool:
      break
    }
    return p
  }

  /// Squeeze/Unsqueeze axes: an attribute before opset 13, a constant input from 13.
  private mutating func axesAttributeOrInput(_ p: inout Onnx_NodeProto, _ node: Node, _ axes: [Int]) {
    if opset < 13 {
      p.attribute = [ints("axes", axes)]
    } else {
      p.input.append(constant(node, "axes", Tensor(shape: [axes.count], int64s: axes.map { Int64($0) })))
    }
  }

  /// Registers a new constant input named after the node and returns its name.
  private mutating func constant(_ node: Node, _ suffix: String, _ tensor: Tensor) -> String {
    var name = "\(node.name)_\(suffix)"
    var k = 1
    while taken.contains(name) {
      name = "\(node.name)_\(suffix)_\(k)"
      k += 1
    }
    taken.insert(name)
    extraInitializers.append((name, tensor))
    return name
  }

  private func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .int
    a.i = Int64(value)
    return a
  }

  private func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .ints
    a.ints = values.map { Int64($0) }
    return a
  }

  private func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .float
    a.f = value
    return a
  }
}
