import Foundation
import JumpEngine
import Testing

@testable import JumpScript

@Suite struct ExportCommandTests {
  @Test func writesALoadableFileAndAReceipt() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("out/teacher.onnx").path
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher\nlet e = export \"\(path)\"")
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(try session.display("e.path") == path)
    #expect(try session.display("e.bytes == \(data.count)B") == "true")
    #expect(try session.display("e.sha256") == FileDigest.sha256(data))
    #expect(try session.display("e.model") == "teacher")
    #expect(try session.display("e.format") == "onnx")
    // Only the file and its requirement vector: no temporary left beside them.
    let listing = try FileManager.default.contentsOfDirectory(
      atPath: directory.appendingPathComponent("out").path)
    #expect(listing.sorted() == ["teacher.onnx", "teacher.onnx.requirements.json"])
    // It loads back as the same network.
    try session.run("load \"\(path)\" as again")
    #expect(try session.display("again.params == teacher.params and again.nodes == teacher.nodes") == "true")
    try session.run("let ra = report again\nlet rt = report teacher")
    #expect(try session.display("ra.macs == rt.macs and ra.size == rt.size") == "true")
  }

  @Test func theReceiptLine() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("mlp.onnx").path
    let session = TestSession()
    try session.run("load \"\(Repo.fixture("models/mlp.onnx"))\"\nexport \"\(path)\" from mlp")
    let line = try #require(session.printed.last)
    #expect(line.hasPrefix("wrote \(path) ("))
    #expect(line.contains(", sha256 "))
  }

  @Test func aFailedExportLeavesNothingBehind() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // A directory sits where the file should go, so the final rename fails.
    let blocked = directory.appendingPathComponent("blocked.onnx")
    try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: false)
    let session = TestSession()
    try session.run("load \"\(Repo.fixture("models/mlp.onnx"))\"")
    let failure = try #require(session.failure("export \"\(blocked.path)\""))
    #expect(failure.message.contains(blocked.path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["blocked.onnx"])
  }

  @Test func exportNeedsAModelAndAnOnnxPath() throws {
    #expect(TestSession().failure("export \"/tmp/x.onnx\"")?.message == "there is no model to export")
    #expect(
      TestSession().failure("export \"/tmp/x.bin\"")?.message
        == "path '/tmp/x.bin' must end in .onnx, .tflite")
  }

  /// A session with the MLP fixture loaded as `mlp` and quantized to int8 as `q`.
  func quantizedSession(_ precision: String = "int8") throws -> TestSession {
    let session = TestSession()
    try session.run(
      """
      load "\(Repo.fixture("models/mlp.onnx"))" as mlp
      dataset operational = "\(Repo.fixture("models/mlp.ref.npz"))"
      calibrate mlp on operational
      quantize \(precision) from mlp as q
      """)
    return session
  }

  @Test func aQuantizedModelIsWrittenAsAFullyIntegerTFLite() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("q.tflite").path
    let session = try quantizedSession()
    try session.run("export \"\(path)\"")
    let line = try #require(session.printed.last)
    #expect(line.hasPrefix("wrote \(path) ("))
    #expect(line.contains(", sha256 "))
    // An existing file is kept unless force=true says to replace it.
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let refused = try #require(session.failure("export \"\(path)\" from mlp"))
    #expect(refused.message.hasSuffix("exists; export does not replace files unless asked"))
    #expect(refused.hint == "add force=true to replace it, or choose another path")
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    try session.run("let e = export \"\(path)\" force=true")
    #expect(try session.display("e.seconds > 0s") == "true")
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(String(decoding: data[4..<8], as: UTF8.self) == "TFL3")
    #expect(try session.display("e.format") == "tflite")
    #expect(try session.display("e.kind") == "int8")
    #expect(try session.display("e.io") == "int8")
    #expect(try session.display("e.model") == "q")
    #expect(try session.display("e.sha256") == FileDigest.sha256(data))
    #expect(try session.display("e.bytes == \(data.count)B") == "true")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
        "q.tflite", "q.tflite.requirements.json",
      ])
  }

  @Test func ioFloatAndFormatOverrideAndInt4() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let session = try quantizedSession("int4")
    let floatIO = directory.appendingPathComponent("f.tflite").path
    try session.run("let e = export \"\(floatIO)\" io=float")
    #expect(try session.display("e.io") == "float")
    #expect(try session.display("e.kind") == "int4")
    // format= wins over the extension.
    let named = directory.appendingPathComponent("model.onnx").path
    try session.run("let g = export \"\(named)\" format=tflite")
    #expect(try session.display("g.format") == "tflite")
    let data = try Data(contentsOf: URL(fileURLWithPath: named))
    #expect(String(decoding: data[4..<8], as: UTF8.self) == "TFL3")
  }

  @Test func aFloatModelIsWrittenAsAFloat32TFLite() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("mlp.tflite").path
    let session = TestSession()
    try session.run("load \"\(Repo.fixture("models/mlp.onnx"))\"\nlet e = export \"\(path)\"")
    #expect(try session.display("e.kind") == "float32")
    #expect(try session.display("e.io") == "float")
    let failure = try #require(session.failure("export \"\(path)\" io=int8"))
    #expect(failure.message.contains("io=int8 needs a quantized model"))
    #expect(failure.hint?.contains("quantize") == true)
  }

  @Test func clearErrors() throws {
    let session = try quantizedSession()
    // Float ONNX of a quantized model is refused, naming the format that keeps its quantization.
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let never = directory.appendingPathComponent("never.onnx").path
    let onnx = try #require(session.failure("export \"\(never)\" format=onnx"))
    #expect(onnx.message.contains("is quantized"))
    #expect(onnx.message.contains("onnx-qdq"))
    #expect(!FileManager.default.fileExists(atPath: never))
    #expect(session.failure("export \"/tmp/x.tflite\" format=tflite2")?.message.contains("tflite2") == true)
    #expect(session.failure("export \"/tmp/x.tflite\" io=int16")?.message.contains("int16") == true)
    // A path under a regular file cannot be created.
    let unwritable = try #require(session.failure("export \"/dev/null/x.tflite\""))
    #expect(unwritable.message.contains("/dev/null"))
  }
}
