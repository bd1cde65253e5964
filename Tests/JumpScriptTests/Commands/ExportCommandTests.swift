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
    // Only the file: no temporary left beside it.
    let listing = try FileManager.default.contentsOfDirectory(
      atPath: directory.appendingPathComponent("out").path)
    #expect(listing == ["teacher.onnx"])
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
      TestSession().failure("export \"/tmp/x.tflite\"")?.message == "path '/tmp/x.tflite' must end in .onnx")
  }
}
