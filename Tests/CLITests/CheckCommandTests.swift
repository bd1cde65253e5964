import Foundation
import Testing

/// `jumpstation check FILE...`: every mistake, with carets, without running anything.
@Suite(.enabled(if: JumpStationProcess.binary != nil, JumpStationProcess.missingBinary))
struct CheckCommandTests {
  let teacher = JumpStationProcess.path("tutorials/data/teacher.onnx")

  @Test func threeMistakesGiveThreeCaretDiagnosticsAndExit65() throws {
    let output = try JumpStationProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: output) }
    let exported = output.appendingPathComponent("never.onnx").path
    let script = try JumpStationProcess.script(
      """
      load "\(teacher)" as teacher
      export "\(exported)" format=onxx
      seed 99999999999
      device box ram=1KB flash=1MB clock=1MHz fpus=true
      report teacher
      """, named: "three.jss")
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }

    let result = try JumpStationProcess.run(["check", script.path])
    #expect(result.status == 65)
    #expect(result.stdout.isEmpty)
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let headlines = lines.filter { $0.hasPrefix(script.path + ":") }
    #expect(
      headlines == [
        "\(script.path):2:\(exported.count + 18): error: unknown format 'onxx' (expected tflite, onnx, onnx-qdq)",
        "\(script.path):3:6: error: seed 99999999999 is out of range (expected 0...2147483647)",
        "\(script.path):4:41: error: unknown option 'fpus' for 'device'",
      ])
    let carets = lines.filter { $0.range(of: #"^ +\| +\^~*$"#, options: .regularExpression) != nil }
    #expect(carets.count == 3)
    #expect(lines.filter { $0.hasPrefix("  hint: did you mean") }.count == 2)
    #expect(lines.contains("3 errors"))
    #expect(!FileManager.default.fileExists(atPath: exported), "check runs no command")
  }

  @Test func aCleanScriptIsOk() throws {
    let script = try JumpStationProcess.script(
      "use targets\ntarget pico\nload \"\(teacher)\"\nreport teacher\n")
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }
    let result = try JumpStationProcess.run(["check", script.path])
    #expect(result.status == 0)
    #expect(result.stderr == "\(script.path): ok\n")
  }

  @Test func severalFilesAreAllChecked() throws {
    let good = try JumpStationProcess.script("seed 1\n", named: "good.jss")
    let bad = try JumpStationProcess.script("seed 1.5\n", named: "bad.jss")
    defer {
      try? FileManager.default.removeItem(at: good.deletingLastPathComponent())
      try? FileManager.default.removeItem(at: bad.deletingLastPathComponent())
    }
    let result = try JumpStationProcess.run(["check", bad.path, good.path])
    #expect(result.status == 65)
    #expect(result.stderr.contains("\(bad.path):1:6: error: seed must be a whole number, not 1.5"))
    #expect(result.stderr.contains("\(good.path): ok"))
    #expect(result.stderr.hasSuffix("1 error\n"))
  }

  @Test func aMissingScriptExits66() throws {
    let result = try JumpStationProcess.run(["check", "/no/such/script.jss"])
    #expect(result.status == 66)
  }

  @Test func jsonPrintsOneObjectPerDiagnostic() throws {
    let script = try JumpStationProcess.script("reprot\nseed -1\n")
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }
    let result = try JumpStationProcess.run(["check", "--json", script.path])
    #expect(result.status == 65)
    let objects = try result.lines.map { line in
      try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
    #expect(objects.map { $0["line"] as? Int } == [1, 2])
    #expect(objects.map { $0["column"] as? Int } == [1, 6])
    #expect(objects[0]["message"] as? String == "unknown command 'reprot'")
    #expect(objects[0]["hint"] as? String == "did you mean 'report'?")
    #expect(objects[1]["hint"] is NSNull)
    #expect(
      objects.allSatisfy { $0["severity"] as? String == "error" && $0["file"] as? String == script.path })
  }
}
