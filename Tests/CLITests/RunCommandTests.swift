import Foundation
import Testing

/// `jumpstation run FILE`: results on stdout, diagnostics on stderr, exit codes per DESIGN §6.
@Suite(.enabled(if: JumpStationProcess.binary != nil, JumpStationProcess.missingBinary))
struct RunCommandTests {
  let teacher = JumpStationProcess.path("tutorials/data/teacher.onnx")

  /// Runs `text` as a script file with extra flags.
  private func run(_ text: String, flags: [String] = []) throws -> JumpStationProcess.Result {
    let script = try JumpStationProcess.script(text)
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }
    return try JumpStationProcess.run(["run"] + flags + [script.path])
  }

  @Test func aGoodScriptExits0WithResultsOnStdout() throws {
    let result = try run(
      """
      use targets
      seed 42
      load "\(teacher)" as teacher
      target pico
      let r = report
      r.params > 100000
      #= this recording is ignored by run
      "done"
      """)
    #expect(result.status == 0)
    #expect(result.lines.first?.hasPrefix("teacher: 13 nodes, 0.87 M params, fp32") == true)
    #expect(result.lines.suffix(2) == ["true", "done"])
    #expect(!result.stdout.contains("ignored"))
  }

  @Test func aFailingCommandExits1AndStopsThere() throws {
    let result = try run(
      """
      "before"
      load "\(teacher)" as teacher
      dataset odd = "\(JumpStationProcess.path("Tests/Fixtures/data/wrong_shape.npz"))"
      "after"
      """)
    #expect(result.status == 1)
    #expect(result.lines.first == "before")
    #expect(!result.stdout.contains("after"))
    #expect(result.stderr.contains(":3:15: error: "))
    #expect(result.stderr.contains("samples are 3×7×7 but model 'teacher' takes 1×32×32"))
    #expect(result.stderr.contains("^~~~"))
  }

  @Test func aScriptThatDoesNotCheckExits65BeforeRunningAnything() throws {
    let result = try run("\"first\"\nseed -1\nreprot\n")
    #expect(result.status == 65)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains(":2:6: error: seed -1 is out of range"))
    #expect(result.stderr.contains(":3:1: error: unknown command 'reprot'"))
  }

  @Test func aSyntaxErrorExits65() throws {
    let result = try run("if true {\n  seed 1\n")
    #expect(result.status == 65)
    #expect(result.stderr.contains("missing '}'"))
  }

  @Test func aMissingScriptExits66() throws {
    let result = try JumpStationProcess.run(["run", "/no/such/script.jss"])
    #expect(result.status == 66)
    #expect(result.stderr.contains("/no/such/script.jss"))
  }

  @Test func aMissingInputExits66() throws {
    let result = try run("load \"/no/such/model.onnx\"\n")
    #expect(result.status == 66)
    #expect(result.stderr.contains("no such file '/no/such/model.onnx'"))
  }

  @Test func aHashMismatchExits66() throws {
    let result = try run("load \"\(teacher)\" sha256:\(String(repeating: "0", count: 64))\n")
    #expect(result.status == 66)
    #expect(result.stderr.contains("but the script pins"))
  }

  @Test func anExpectedErrorLetsTheRunContinue() throws {
    let result = try run("1 / 0\n#! error: division by zero\n\"after\"\n")
    #expect(result.status == 0)
    #expect(result.lines == ["after"])
  }

  @Test func jsonPrintsOneObjectPerStatement() throws {
    let result = try run(
      """
      let x = 2
      x * 2KB
      load "\(teacher)" as teacher
      teacher.params
      "a\\"quote"
      1 / 0
      "never"
      """, flags: ["--json"])
    #expect(result.status == 1)
    let objects = try result.lines.map { line in
      try #require(
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not an object: \(line)")
    }
    #expect(objects.count == 6)
    #expect(objects.map { $0["line"] as? Int } == [1, 2, 3, 4, 5, 6])
    #expect(objects.map { $0["ok"] as? Bool } == [true, true, true, true, true, false])
    #expect(objects[0]["statement"] as? String == "let x = 2")
    #expect(objects[0]["output"] as? [String] == [])
    #expect(objects[1]["output"] as? [String] == ["4 KB"])
    #expect(objects[1]["result"] as? Int == 4096, "numbers in base units")
    let model = try #require(objects[2]["result"] as? [String: Any])
    #expect(model["kind"] as? String == "model")
    #expect(model["name"] as? String == "teacher")
    #expect(model["nodes"] as? Int == 13)
    #expect(objects[3]["result"] as? Int == model["params"] as? Int)
    #expect(objects[4]["result"] as? String == "a\"quote")
    #expect(objects[5]["error"] as? String == "division by zero")
    #expect(objects[5]["exit_code"] as? Int == 1)
    #expect(!result.stderr.contains("division by zero"), "errors go into the JSON")
  }

  @Test func jsonReportsCheckErrorsAsObjects() throws {
    let result = try run("seed -1\n", flags: ["--json"])
    #expect(result.status == 65)
    let line = try #require(result.lines.first)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["ok"] as? Bool == false)
    #expect((object["error"] as? String)?.hasPrefix("seed -1 is out of range") == true)
    #expect((object["location"] as? String)?.contains(":1:6: error:") == true)
  }

  @Test func echoPrintsEachStatementBeforeItsOutput() throws {
    let result = try run("let x = 1\nx + 1\nif x == 1 {\n  \"one\"\n}\n", flags: ["--echo"])
    #expect(result.status == 0)
    #expect(result.lines == ["> let x = 1", "> x + 1", "2", "> if x == 1 {", ">   \"one\"", "> }", "one"])
  }
}
