import Foundation
import JumpEngine
import ONNXProto
import Testing

@Suite struct ONNXExportTests {
  func roundTrip(_ model: Model) throws -> Model {
    try ONNXImporter.load(data: try ONNXExporter.serialize(model), path: "roundtrip.onnx")
  }

  @Test func roundTripKeepsGraphAndInitializers() throws {
    let model = try smallCNN().load()
    let back = try roundTrip(model)
    #expect(back.graph == model.graph)
    #expect(back.provenance.opset == 17)
    #expect(back.provenance.irVersion == 8)
    #expect(back.provenance.producerName == "jumpstation")
  }

  @Test func roundTripAcrossOpsetsWithAttributeInputs() throws {
    var m = ONNXTestModel(opset: 9)
    for opset in [9, 11, 13, 18] {
      m = ONNXTestModel(opset: opset)
      m.input("x", [.symbolic("batch"), .fixed(3), .fixed(4), .fixed(4)])
      m.ints("axes0", [0])
      m.ints("shape", [0, -1])
      m.node("Clip", ["x"], ["c"], name: "clip", opset < 11 ? [Attr.float("max", 6)] : [])
      m.node("ReduceMean", ["c"], ["r"], name: "mean", [Attr.int("keepdims", 1)])
      m.node(
        "MaxPool", ["x"], ["p"], name: "pool",
        [
          Attr.ints("kernel_shape", [3, 3]), Attr.int("ceil_mode", opset >= 10 ? 1 : 0),
          Attr.ints("strides", [2, 2]),
        ])
      m.node("Reshape", ["p", "shape"], ["flat"], name: "reshape")
      m.output("r")
      m.output("flat")
      let model = try m.load()
      let back = try roundTrip(model)
      #expect(back.graph == model.graph, "opset \(opset)")
    }
  }

  @Test func roundTripOfFoldedReshapeAndSqueeze() throws {
    var m = ONNXTestModel(opset: 13)
    m.input("x", [.symbolic("N"), .fixed(4), .fixed(1), .fixed(1)])
    m.ints("axes", [2, 3])
    m.node("Squeeze", ["x", "axes"], ["s"], name: "sq")
    m.node("Unsqueeze", ["s", "axes"], ["u"], name: "unsq")
    m.node("Transpose", ["u"], ["t"], name: "tr")
    m.output("t")
    let model = try m.load()
    #expect(try roundTrip(model).graph == model.graph)
    #expect(model.graph.outputs[0].shape == [.fixed(1), .fixed(1), .fixed(4), .symbolic("N")])
  }

  @Test func writesAtomicallyAndDigests() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = try smallCNN().load()
    let url = dir.appendingPathComponent("model.onnx")
    try ONNXExporter.write(model, to: url)
    try ONNXExporter.write(model, to: url)  // overwriting works too
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.onnx"])
    let loaded = try ONNXImporter.load(contentsOf: url)
    #expect(loaded.graph == model.graph)
    #expect(loaded.provenance.sourcePath == url.path)
    #expect(loaded.provenance.sha256 == (try FileDigest.sha256(of: url)))
    let pinned = try ONNXImporter.load(
      contentsOf: url, expectedSHA256: loaded.provenance.sha256?.uppercased())
    #expect(pinned.graph == model.graph)
    let wrongPin = engineError {
      _ = try ONNXImporter.load(contentsOf: url, expectedSHA256: String(repeating: "a", count: 64))
    }
    #expect(wrongPin?.kind == .hashMismatch)
    #expect(wrongPin?.message.hasPrefix(url.path + ": sha256 is ") == true)
    let missingDir = dir.appendingPathComponent("nope/model.onnx")
    #expect(engineError { try ONNXExporter.write(model, to: missingDir) }?.kind == .io)
  }

  @Test func sha256KnownValues() throws {
    #expect(
      FileDigest.sha256(Data("abc".utf8))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("abc.txt")
    try AtomicFile.write(Data("abc".utf8), to: url)
    #expect(
      try FileDigest.sha256(of: url) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let mismatch = engineError { try FileDigest.verify(url, sha256: String(repeating: "0", count: 64)) }
    #expect(mismatch?.kind == .hashMismatch)
    #expect(mismatch?.isInputError == true)
  }
}
