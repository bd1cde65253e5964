import Foundation
import JumpEngine
import ONNXProto
import Testing

@testable import JumpScript

/// `export` of a quantized model as ONNX: QDQ by default for `.onnx`, and the errors around it.
@Suite struct ExportQDQCommandTests {
  /// A session with the teacher quantized to int8 on a few operational samples.
  func quantizedTeacher() throws -> TestSession {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=16")
    try session.run("quantize int8")
    return session
  }

  @Test func dotOnnxOfAQuantizedModelIsQDQ() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("teacher_int8.onnx").path
    let session = try quantizedTeacher()
    try session.run("let e = export \"\(path)\"")
    #expect(try session.display("e.format") == "onnx-qdq")
    #expect(try session.display("e.kind") == "int8")
    let proto = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(proto.opsetImport.first?.version == 21)
    #expect(proto.graph.node.contains { $0.opType == "QuantizeLinear" })
    #expect(proto.graph.node.contains { $0.opType == "Conv" })
  }

  @Test func floatONNXOfAQuantizedModelAndQDQOfAFloatModelAreRefused() throws {
    let session = try quantizedTeacher()
    let asFloat = try #require(session.failure("export \"/tmp/never.onnx\" format=onnx"))
    #expect(asFloat.message.contains("format=onnx-qdq"))
    let fromFloat = try #require(session.failure("export \"/tmp/never.onnx\" format=onnx-qdq from teacher"))
    #expect(fromFloat.message.contains("float model"))
    #expect(!FileManager.default.fileExists(atPath: "/tmp/never.onnx"))
  }
}
