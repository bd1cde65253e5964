import Foundation
import JumpEngine
import ONNXProto
import Testing

@Suite struct ONNXImportErrorTests {
  func tiny() -> ONNXTestModel {
    var m = ONNXTestModel(opset: 17)
    m.input("x", [1, 4])
    m.node("Relu", ["x"], ["y"], name: "relu")
    m.output("y")
    return m
  }

  @Test func unknownOpNamesNodeAndOpset() {
    var m = tiny()
    m.node("LSTM", ["y"], ["z"], name: "lstm_1")
    m.output("z")
    let error = engineError { _ = try m.load() }
    #expect(error?.kind == .unsupportedOp)
    #expect(error?.message == "test.onnx: node 'lstm_1': unsupported op 'LSTM' (opset 17)")
  }

  @Test func truncatedBytes() {
    let data = smallCNN().data
    let error = engineError { _ = try ONNXImporter.load(data: data.prefix(data.count / 2), path: "cut.onnx") }
    #expect(error?.kind == .invalidModel)
    #expect(error?.message.hasPrefix("cut.onnx: ") == true)
    #expect(error?.message.contains("\n") == false)
  }

  @Test func missingFile() {
    let error = engineError {
      _ = try ONNXImporter.load(contentsOf: URL(fileURLWithPath: "/nonexistent/m.onnx"))
    }
    #expect(error?.kind == .missingInput)
    #expect(error?.message.contains("/nonexistent/m.onnx") == true)
    #expect(error?.isInputError == true)
  }

  @Test func missingGraph() {
    var m = tiny()
    m.includeGraph = false
    #expect(engineError { _ = try m.load() }?.message == "test.onnx: the model has no graph")
  }

  @Test func danglingInput() {
    var m = tiny()
    m.node("Add", ["y", "ghost"], ["z"], name: "add")
    m.output("z")
    let error = engineError { _ = try m.load() }
    #expect(error?.kind == .invalidModel)
    #expect(error?.message.contains("node 'add': input 'ghost'") == true)
  }

  @Test func wrongInitializerByteCount() {
    var m = tiny()
    var w = Onnx_TensorProto()
    w.name = "w"
    w.dims = [4]
    w.dataType = 1
    w.rawData = Data(count: 10)
    m.initializers.append(w)
    m.node("Add", ["y", "w"], ["z"])
    m.output("z")
    let error = engineError { _ = try m.load() }
    #expect(error?.kind == .invalidModel)
    #expect(
      error?.message == "test.onnx: initializer 'w' has 10 bytes of raw_data, expected 16 for float32 [4]")
  }

  @Test func externalDataRejected() {
    var m = tiny()
    var w = Onnx_TensorProto()
    w.name = "w"
    w.dims = [4]
    w.dataType = 1
    w.dataLocation = .external
    var entry = Onnx_StringStringEntryProto()
    entry.key = "location"
    entry.value = "weights.bin"
    w.externalData = [entry]
    m.initializers.append(w)
    let error = engineError { _ = try m.load() }
    #expect(error?.message.contains("initializer 'w' stores its data in an external file") == true)
  }

  @Test func shapeMismatchNamesNode() {
    var m = ONNXTestModel(opset: 13)
    m.input("x", [2, 5])
    m.weight("w", [4, 3])
    m.node("Gemm", ["x", "w"], ["y"], name: "fc1")
    m.output("y")
    let error = engineError { _ = try m.load() }
    #expect(error?.kind == .invalidModel)
    #expect(error?.message.hasPrefix("test.onnx: node 'fc1' (Gemm): inner dimensions") == true)
  }

  @Test func cycleIsReported() {
    var m = ONNXTestModel(opset: 13)
    m.input("x", [1, 4])
    m.node("Add", ["x", "b"], ["a"], name: "n1")
    m.node("Relu", ["a"], ["b"], name: "n2")
    m.output("b")
    let error = engineError { _ = try m.load() }
    #expect(error?.message.contains("cycle") == true)
  }

  @Test func nonConstantReshapeTargetAndRuntimeGather() {
    var m = ONNXTestModel(opset: 13)
    m.input("x", [1, 4])
    m.input("idx", [1])
    m.node("Gather", ["x", "idx"], ["y"], name: "g")
    m.output("y")
    let error = engineError { _ = try m.load() }
    #expect(error?.kind == .unsupportedOp)
    #expect(error?.message.contains("node 'g': unsupported op 'Gather' on a runtime tensor") == true)
  }

  @Test func declaredOutputShapeChecked() {
    var m = ONNXTestModel(opset: 13)
    m.input("x", [1, 4])
    m.node("Relu", ["x"], ["y"])
    m.output("y", [.fixed(1), .fixed(5)])
    #expect(engineError { _ = try m.load() }?.message.contains("graph output 'y'") == true)
  }
}

@Suite struct ONNXImportEdgeCaseTests {
  @Test func runtimeConcatAndOldSoftmax() throws {
    var m = ONNXTestModel(opset: 11)
    m.input("a", [.symbolic("N"), .fixed(3)])
    m.input("b", [.symbolic("N"), .fixed(5)])
    m.node("Concat", ["a", "b"], ["c"], name: "cat", [Attr.int("axis", 1)])
    m.node("Softmax", ["c"], ["y"], name: "sm")
    m.output("y")
    let g = try m.load().graph
    #expect(g.nodes.map(\.op) == [.concat(axis: 1), .softmax(axis: 1)])
    #expect(g.outputs[0].shape == [.symbolic("N"), .fixed(8)])
    var old = ONNXTestModel(opset: 11)
    old.input("x", [1, 2, 3])
    old.node("Softmax", ["x"], ["y"], name: "sm", [Attr.int("axis", 1)])
    old.output("y")
    let error = engineError { _ = try old.load() }
    #expect(error?.kind == .unsupportedOp)
    #expect(
      error?.message.contains("node 'sm': Softmax over axis 1 of a rank-3 input before opset 13") == true)
  }

  @Test func trainingOnlyFeaturesRejected() {
    var bn = ONNXTestModel(opset: 15)
    bn.input("x", [1, 2, 4, 4])
    for p in ["s", "b", "m", "v"] { bn.weight(p, [2]) }
    bn.node(
      "BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], name: "bn", [Attr.int("training_mode", 1)])
    bn.output("y")
    #expect(engineError { _ = try bn.load() }?.message.contains("training mode") == true)
    var drop = ONNXTestModel(opset: 13)
    drop.input("x", [1, 4])
    drop.node("Dropout", ["x"], ["y", "mask"], name: "drop")
    drop.node("Relu", ["mask"], ["z"], name: "use_mask")
    drop.output("z")
    let error = engineError { _ = try drop.load() }
    #expect(
      error?.message
        == "test.onnx: node 'use_mask': uses output 'mask' of 'drop', which is only computed in training")
  }

  @Test func otherDomainsAndUnnamedNodes() {
    var m = ONNXTestModel(opset: 13)
    m.input("x", [1, 4])
    var n = m.node("FusedGemm", ["x"], ["y"])
    n.domain = "com.microsoft"
    m.nodes[0] = n
    m.output("y")
    let error = engineError { _ = try m.load() }
    #expect(
      error?.message == "test.onnx: node 'FusedGemm_0': unsupported op 'com.microsoft.FusedGemm' (opset 13)")
  }
}
