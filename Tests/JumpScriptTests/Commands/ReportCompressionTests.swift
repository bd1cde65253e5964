import Foundation
import JumpEngine
import Testing

@testable import JumpScript

/// `report` of a compressed model against its origin, with quality on a dataset, written to files.
@Suite struct ReportCompressionTests {
  func quantizedTeacher() throws -> TestSession {
    let session = TestSession()
    try session.run("use targets\ntarget pico\nload \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=16")
    try session.run("dataset test = \"\(Repo.path("tutorials/data/test.npz"))\" limit=32")
    try session.run("calibrate on operational\nquantize int8")
    return session
  }

  @Test func aQuantizedModelIsComparedWithTheModelItCameFrom() throws {
    let session = try quantizedTeacher()
    try session.run("let r = report on test")
    #expect(try session.display("r.baseline") == "teacher")
    #expect(try session.display("r.fits") == "false")
    #expect(try session.display("r.fits_flash and not r.fits_ram") == "true")
    #expect(try session.display("r.accuracy > 0.9 and r.agreement > 0.9") == "true")
    #expect(try session.display("r.baseline_accuracy > 0.9") == "true")
    #expect(try session.display("r.lineage.count") == "2")
    let text = try session.display("report")
    #expect(text.contains("  compared with teacher:"))
    #expect(text.contains("flash (weights)") && text.contains("× smaller"))
    #expect(text.contains("  verdict: does not fit pico: peak RAM 347 KB > 264 KB"))
    #expect(text.contains("  lineage: load teacher.onnx -> quantize int8 ptq"))
  }

  @Test func anOriginalModelHasNoBaselineUnlessOneIsNamed() throws {
    let session = try quantizedTeacher()
    let text = try session.display("report teacher")
    #expect(!text.contains("compared with"))
    #expect(session.failure("let r = report teacher\nr.baseline") != nil)
    try session.run("let v = report teacher vs teacher_int8")
    #expect(try session.display("v.baseline") == "teacher_int8")
  }

  @Test func reportToWritesJSONMarkdownAndHTML() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let session = try quantizedTeacher()
    for name in ["r.json", "r.md", "r.html"] {
      let path = directory.appendingPathComponent("out/\(name)").path
      try session.run("let w = report on test to \"\(path)\"")
      #expect(try session.display("w.path") == path)
      #expect(FileManager.default.fileExists(atPath: path))
    }
    let json = try Data(contentsOf: directory.appendingPathComponent("out/r.json"))
    let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    #expect(object["schema"] as? String == CompressionReport.schema)
    #expect((object["baseline"] as? [String: Any])?["name"] as? String == "teacher")
    #expect((object["model"] as? [String: Any])?["accuracy"] is Double)
    let markdown = try String(contentsOf: directory.appendingPathComponent("out/r.md"), encoding: .utf8)
    #expect(markdown.hasPrefix("# Compression report: teacher_int8"))
    let html = try String(contentsOf: directory.appendingPathComponent("out/r.html"), encoding: .utf8)
    #expect(html.contains("<svg"))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("out").path)
        .sorted()
        == ["r.html", "r.json", "r.md"])
  }

  @Test func reportToAnUnknownExtensionIsRefused() throws {
    let session = try quantizedTeacher()
    let failure = try #require(session.failure("report to \"r.txt\""))
    #expect(failure.message.contains(".json") || failure.message.contains("json"))
  }

  @Test func exportWritesTheRequirementVectorWithTheLastMeasuredAccuracy() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let session = try quantizedTeacher()
    let path = directory.appendingPathComponent("q.tflite").path
    try session.run("eval on test\nlet e = export \"\(path)\"")
    #expect(try session.display("e.requirements") == path + ".requirements.json")
    let data = try Data(contentsOf: URL(fileURLWithPath: path + ".requirements.json"))
    let vector = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(vector["schema"] as? String == RequirementVector.schema)
    #expect(vector["format"] as? String == "tflite")
    #expect(vector["arena_bytes"] as? Int == 112 * 32 * 32 + 224 * 32 * 32)
    #expect((vector["accuracy"] as? [String: Any])?["dataset"] as? String == "test")
    let devices = try #require(vector["devices"] as? [[String: Any]])
    #expect(devices.contains { $0["device"] as? String == "pico" && $0["fits"] as? Bool == false })
    // The same document is in the file's metadata.
    let file = try Data(contentsOf: URL(fileURLWithPath: path))
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    #expect(file.range(of: Data(text.utf8)) != nil)
  }
}
