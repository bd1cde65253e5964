import Foundation
import JumpEngine
import ONNXProto
import Testing

/// A MobileNetV3-flavoured CNN that uses most of the supported ops, with a symbolic batch.
func smallCNN(opset: Int = 17) -> ONNXTestModel {
  var m = ONNXTestModel(opset: opset)
  m.input("x", [.symbolic("N"), .fixed(3), .fixed(16), .fixed(16)])
  m.weight("w1", [8, 3, 3, 3])
  m.weight("b1", [8])
  m.weight("bn_s", [8], fill: { _ in 1 })
  m.weight("bn_b", [8])
  m.weight("bn_m", [8])
  m.weight("bn_v", [8], fill: { _ in 1 })
  m.weight("wdw", [8, 1, 3, 3])
  m.weight("wse1", [4, 8, 1, 1])
  m.weight("wse2", [8, 4, 1, 1])
  m.weight("wfc", [10, 128])
  m.weight("bfc", [10])
  m.scalar("zero", 0)
  m.scalar("six", 6)
  m.scalar("two", 2)
  m.node(
    "Conv", ["x", "w1", "b1"], ["c1"], name: "stem",
    [Attr.ints("strides", [2, 2]), Attr.ints("pads", [1, 1, 1, 1])])
  m.node(
    "BatchNormalization", ["c1", "bn_s", "bn_b", "bn_m", "bn_v"], ["bn"], name: "bn",
    [Attr.float("epsilon", 1e-3)])
  m.node("HardSwish", ["bn"], ["hs"], name: "hs")
  m.node(
    "Conv", ["hs", "wdw"], ["dw"], name: "dw", [Attr.int("group", 8), Attr.ints("pads", [1, 1, 1, 1])])
  m.node("Relu", ["dw"], ["r"], name: "relu")
  m.node("Clip", ["r", "zero", "six"], ["r6"], name: "relu6")
  m.node("GlobalAveragePool", ["r6"], ["gap"], name: "gap")
  m.node("Conv", ["gap", "wse1"], ["se1"], name: "se1")
  m.node("Relu", ["se1"], ["se1r"], name: "se1r")
  m.node("Conv", ["se1r", "wse2"], ["se2"], name: "se2")
  m.node(
    "HardSigmoid", ["se2"], ["gate"], name: "gate", [Attr.float("alpha", 1.0 / 6), Attr.float("beta", 0.5)])
  m.node("Mul", ["r6", "gate"], ["scaled"], name: "scale")
  m.node("Sigmoid", ["scaled"], ["sg"], name: "sig")
  m.node(
    "MaxPool", ["sg"], ["mp"], name: "mp",
    [Attr.ints("kernel_shape", [2, 2]), Attr.ints("strides", [2, 2])])
  m.node(
    "AveragePool", ["mp"], ["ap"], name: "ap",
    [Attr.ints("kernel_shape", [3, 3]), Attr.ints("pads", [1, 1, 1, 1]), Attr.int("count_include_pad", 1)])
  m.node("Add", ["mp", "ap"], ["sum"], name: "add")
  m.node("Sub", ["sum", "two"], ["diff"], name: "sub")
  m.node("Div", ["diff", "two"], ["quot"], name: "div")
  m.node("Flatten", ["quot"], ["flat"], name: "flatten", [Attr.int("axis", 1)])
  m.node("Gemm", ["flat", "wfc", "bfc"], ["logits"], name: "fc", [Attr.int("transB", 1)])
  m.node("Softmax", ["logits"], ["prob"], name: "softmax", [Attr.int("axis", 1)])
  m.output("prob", [.symbolic("N"), .fixed(10)])
  return m
}

@Suite struct ONNXImportTests {
  @Test func importsCNNWithShapes() throws {
    let model = try smallCNN().load()
    let g = model.graph
    #expect(g.nodes.count == 21)
    #expect(g.opset == 17)
    #expect(model.provenance.producerName == "unit-test")
    #expect(model.provenance.sha256?.count == 64)
    #expect(g.outputs == [ValueInfo(name: "prob", shape: [.symbolic("N"), .fixed(10)])])
    #expect(g.valueInfo["c1"]?.shape == [.symbolic("N"), .fixed(8), .fixed(8), .fixed(8)])
    #expect(g.valueInfo["gap"]?.shape == [.symbolic("N"), .fixed(8), .fixed(1), .fixed(1)])
    #expect(g.valueInfo["mp"]?.shape == [.symbolic("N"), .fixed(8), .fixed(4), .fixed(4)])
    #expect(g.valueInfo["flat"]?.shape == [.symbolic("N"), .fixed(128)])
    let dw = try #require(g.nodes.first { $0.name == "dw" })
    #expect(dw.op == .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1], group: 8)))
    let clip = try #require(g.nodes.first { $0.name == "relu6" })
    #expect(clip.op == .clip(min: 0, max: 6))
    #expect(clip.inputs == ["r"])
    #expect(g.initializers["zero"] == nil)  // consumed into the Clip attributes
    let ap = try #require(g.nodes.first { $0.name == "ap" })
    #expect(
      ap.op == .averagePool(PoolAttributes(kernel: [3, 3], pads: [1, 1, 1, 1], countIncludePad: true)))
    #expect(g.nodes.first { $0.name == "fc" }?.op == .gemm(GemmAttributes(transB: true)))
    #expect(g.nodes.first { $0.name == "bn" }?.op == .batchNormalization(epsilon: 1e-3))
  }

  @Test func removesIdentityDropoutAndConstant() throws {
    var m = ONNXTestModel(opset: 18)
    m.input("x", [.symbolic("batch"), .fixed(16)])
    m.weight("w1", [16, 32])
    m.weight("w2", [32, 4])
    var bias = Onnx_TensorProto()
    bias.dims = [32]
    bias.dataType = 1
    bias.floatData = Array(repeating: 0.5, count: 32)
    m.node("Constant", [], ["b1"], name: "const", [Attr.tensor("value", bias)])
    m.node("MatMul", ["x", "w1"], ["h"], name: "mm1")
    m.node("Add", ["h", "b1"], ["hb"], name: "bias1")
    m.node("Relu", ["hb"], ["a"], name: "act")
    m.node("Identity", ["a"], ["a2"], name: "id")
    m.node("Dropout", ["a2"], ["a3", "mask"], name: "drop")
    m.node("MatMul", ["a3", "w2"], ["y0"], name: "mm2")
    m.node("Identity", ["y0"], ["y"], name: "out_id")
    m.output("y")
    let g = try m.load().graph
    #expect(g.nodes.map(\.op.onnxName) == ["MatMul", "Add", "Relu", "MatMul"])
    #expect(g.nodes[3].inputs == ["a", "w2"])
    #expect(g.nodes[3].outputs == ["y"])
    #expect(g.outputs.first?.shape == [.symbolic("batch"), .fixed(4)])
    #expect(g.initializers["b1"]?.floats == Array(repeating: 0.5, count: 32))
  }

  @Test func foldsShapeChainWithSymbolicBatch() throws {
    func chain(batch: Dim) -> ONNXTestModel {
      var m = ONNXTestModel(opset: 17)
      m.input("x", [batch, .fixed(4), .fixed(2), .fixed(2)])
      m.ints("zero", [0], shape: [])
      m.ints("minus1", [-1])
      m.ints("axes0", [0])
      m.node("Shape", ["x"], ["s"], name: "shape")
      m.node("Gather", ["s", "zero"], ["n"], name: "gather", [Attr.int("axis", 0)])
      m.node("Unsqueeze", ["n", "axes0"], ["n1"], name: "unsq")
      m.node("Concat", ["n1", "minus1"], ["target"], name: "cat", [Attr.int("axis", 0)])
      m.node("Reshape", ["x", "target"], ["y"], name: "reshape")
      m.output("y")
      return m
    }
    let symbolic = try chain(batch: .symbolic("N")).load().graph
    #expect(symbolic.nodes.count == 1)
    #expect(symbolic.nodes[0].op == .reshape(shape: [0, -1], allowZero: false))
    #expect(symbolic.outputs[0].shape == [.symbolic("N"), .fixed(16)])
    #expect(symbolic.initializers.isEmpty)
    let fixed = try chain(batch: .fixed(2)).load().graph
    #expect(fixed.nodes.map(\.op) == [.reshape(shape: [2, -1], allowZero: false)])
    #expect(fixed.outputs[0].shape == [.fixed(2), .fixed(16)])
  }

  @Test func foldsNonBatchDimensionsArithmetic() throws {
    var m = ONNXTestModel(opset: 13)
    m.input("x", [.symbolic("N"), .fixed(4), .fixed(2), .fixed(3)])
    m.ints("i1", [1], shape: [])
    m.ints("minus1", [-1])
    m.ints("axes0", [0])
    m.node("Shape", ["x"], ["s"])
    m.node("Gather", ["s", "i1"], ["c"])
    m.ints("start2", [2])
    m.ints("end4", [4])
    m.node("Slice", ["s", "start2", "end4"], ["hw"])
    m.node("Cast", ["hw"], ["hwf"], [Attr.int("to", 7)])
    m.node("Gather", ["hwf", "i1"], ["w"])
    m.node("Mul", ["c", "w"], ["cw"])
    m.ints("two", [2], shape: [])
    m.node("Mul", ["cw", "two"], ["chw"])
    m.node("Unsqueeze", ["chw", "axes0"], ["chw1"])
    m.node("Concat", ["minus1", "chw1"], ["target"], [Attr.int("axis", 0)])
    m.node("Reshape", ["x", "target"], ["y"])
    m.output("y")
    let g = try m.load().graph
    #expect(g.nodes.map(\.op) == [.reshape(shape: [-1, 24], allowZero: false)])
    #expect(g.outputs[0].shape == [.symbolic("N"), .fixed(24)])
  }

  @Test func attributesAndInputsAcrossOpsets() throws {
    func model(_ opset: Int) -> ONNXTestModel {
      var m = ONNXTestModel(opset: opset)
      m.input("x", [1, 3, 4, 4])
      m.ints("axes23", [2, 3])
      m.ints("axes0", [0])
      m.scalar("hi", 6)
      if opset < 11 {
        m.node("Clip", ["x"], ["c"], name: "clip", [Attr.float("min", 0), Attr.float("max", 6)])
      } else {
        m.node("Clip", ["x", "", "hi"], ["c"], name: "clip")
      }
      if opset < 18 {
        m.node(
          "ReduceMean", ["c"], ["r"], name: "mean", [Attr.ints("axes", [2, 3]), Attr.int("keepdims", 0)])
      } else {
        m.node("ReduceMean", ["c", "axes23"], ["r"], name: "mean", [Attr.int("keepdims", 0)])
      }
      if opset < 13 {
        m.node("Unsqueeze", ["r"], ["u"], name: "unsq", [Attr.ints("axes", [0])])
        m.node("Squeeze", ["u"], ["s"], name: "sq", [Attr.ints("axes", [0])])
      } else {
        m.node("Unsqueeze", ["r", "axes0"], ["u"], name: "unsq")
        m.node("Squeeze", ["u", "axes0"], ["s"], name: "sq")
      }
      m.node("Transpose", ["s"], ["t"], name: "tr", [Attr.ints("perm", [1, 0])])
      m.output("t")
      return m
    }
    for opset in [9, 11, 13, 18] {
      let g = try model(opset).load().graph
      let clip: Op = opset < 11 ? .clip(min: 0, max: 6) : .clip(min: nil, max: 6)
      #expect(
        g.nodes.map(\.op) == [
          clip, .reduceMean(axes: [2, 3], keepDims: false), .unsqueeze(axes: [0]), .squeeze(axes: [0]),
          .transpose(perm: [1, 0]),
        ])
      #expect(g.valueInfo["u"]?.shape == [.fixed(1), .fixed(1), .fixed(3)])
      #expect(g.outputs[0].shape == [.fixed(3), .fixed(1)])
      #expect(g.nodes.allSatisfy { $0.inputs.count == 1 })
    }
  }

  @Test func resolvesAutoPad() throws {
    func conv(_ autoPad: String, size: Int, kernel: Int, stride: Int) throws -> Node {
      var m = ONNXTestModel(opset: 13)
      m.input("x", [1, 2, size, size])
      m.weight("w", [2, 2, kernel, kernel])
      m.node(
        "Conv", ["x", "w"], ["y"], name: "c",
        [Attr.string("auto_pad", autoPad), Attr.ints("strides", [stride, stride])])
      m.output("y")
      return try #require(try m.load().graph.nodes.first)
    }
    guard case .conv(let upper) = try conv("SAME_UPPER", size: 7, kernel: 3, stride: 2).op,
      case .conv(let odd) = try conv("SAME_UPPER", size: 5, kernel: 2, stride: 1).op,
      case .conv(let lower) = try conv("SAME_LOWER", size: 5, kernel: 2, stride: 1).op,
      case .conv(let valid) = try conv("VALID", size: 5, kernel: 3, stride: 1).op
    else {
      Issue.record("not a conv")
      return
    }
    #expect(upper.pads == [1, 1, 1, 1])
    #expect(odd.pads == [0, 0, 1, 1])
    #expect(lower.pads == [1, 1, 0, 0])
    #expect(valid.pads == [0, 0, 0, 0])
  }

  @Test func readsTypedInitializerFields() throws {
    var m = ONNXTestModel(opset: 13)
    m.input("x", [2, 3])
    var w = Onnx_TensorProto()
    w.name = "w"
    w.dims = [3, 2]
    w.dataType = 1
    w.floatData = [1, 2, 3, 4, 5, 6]
    var shape = Onnx_TensorProto()
    shape.name = "shape"
    shape.dims = [1]
    shape.dataType = 7
    shape.int64Data = [4]
    var d = Onnx_TensorProto()
    d.name = "d"
    d.dims = [1]
    d.dataType = 11
    d.doubleData = [2.5]
    var i = Onnx_TensorProto()
    i.name = "i"
    i.dims = [1]
    i.dataType = 6
    i.int32Data = [-7]
    m.initializers = [w, shape, d, i]
    m.node("MatMul", ["x", "w"], ["h"])
    m.node("Reshape", ["h", "shape"], ["r"])
    m.node("Relu", ["r"], ["z"])
    m.output("z")
    m.output("d")
    m.output("i")
    let g = try m.load().graph
    #expect(g.initializers["w"] == Tensor(shape: [3, 2], floats: [1, 2, 3, 4, 5, 6]))
    #expect(g.initializers["d"] == Tensor(shape: [1], storage: .float64([2.5])))
    #expect(g.initializers["i"] == Tensor(shape: [1], storage: .int32([-7])))
    #expect(g.initializers["shape"] == nil)
    #expect(g.outputs.map(\.shape) == [[.fixed(4)], [.fixed(1)], [.fixed(1)]])
    #expect(g.outputs.map(\.dtype) == [.float32, .float64, .int32])
  }

  @Test func binaryOpsNeedMatchingTypes() {
    var m = ONNXTestModel(opset: 13)
    m.input("x", [2])
    m.ints("k", [1, 2])
    m.node("Add", ["x", "k"], ["y"], name: "mixed")
    m.output("y")
    let error = engineError { _ = try m.load() }
    #expect(
      error?.message == "test.onnx: node 'mixed' (Add): input types differ: 'x' is float32, 'k' is int64")
  }
}
