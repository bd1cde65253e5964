import Foundation
import Testing

@testable import JumpScript

/// Runs a source through a fresh ScriptRunner, collecting what it writes.
private final class RunCapture {
  var out: [String] = []
  var err: [String] = []

  func run(_ source: SourceFile, _ options: ScriptRunner.Options) -> ScriptRunner.Summary {
    let interpreter = Interpreter(environment: RunEnvironment(stdlibDirectory: Repo.stdlib))
    let runner = ScriptRunner(
      interpreter: interpreter, out: { self.out.append($0) }, err: { self.err.append($0) })
    return runner.run(source, options: options)
  }

  func run(file url: URL, _ mode: ScriptRunner.Mode) throws -> ScriptRunner.Summary {
    let text = try String(contentsOf: url, encoding: .utf8)
    return run(SourceFile(name: url.path, text: text), .init(mode: mode))
  }
}

@Suite struct ScriptRunnerTests {
  let transcriptText = """
    let x = 2
    x * 2
    #= 4
    "v" + x
    #= v3
    seed -1
    #! error: seed -1 is out of range (expected 0...2147483647)
    x
    #= [..]
    [1, 2].count
    #= 1.9~0.2

    """

  @Test func replayCountsPassesAndFailuresAndShowsADiff() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("t.jss")
    try transcriptText.write(to: url, atomically: true, encoding: .utf8)

    let capture = RunCapture()
    let summary = try capture.run(file: url, .replay)
    #expect(summary.passed == 5)
    #expect(summary.failed == 1)
    #expect(summary.exitCode == .failure)
    #expect(
      capture.out == [
        "mismatch at \(url.path):4: \"v\" + x", "--- recorded", "+++ actual", "- v3", "+ v2",
        "5 passed, 1 failed",
      ])
  }

  /// Mismatched recordings are rewritten; ones that still match keep their `[..]` and `~tol`.
  @Test func updateRewritesTheFileAndThenReplayPasses() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("t.jss")
    try transcriptText.write(to: url, atomically: true, encoding: .utf8)

    let update = RunCapture()
    let updated = try update.run(file: url, .update)
    #expect(updated.exitCode == .success)
    #expect(update.err == ["updated \(url.path) (6 statements)"])
    let rewritten = try String(contentsOf: url, encoding: .utf8)
    #expect(
      rewritten == """
        let x = 2
        x * 2
        #= 4
        "v" + x
        #= v2
        seed -1
        #! error: seed -1 is out of range (expected 0...2147483647)
        x
        #= [..]
        [1, 2].count
        #= 1.9~0.2

        """)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["t.jss"])

    let replay = RunCapture()
    let summary = try replay.run(file: url, .replay)
    #expect(summary.exitCode == .success)
    #expect((summary.passed, summary.failed) == (6, 0))
    #expect(replay.out == ["6 passed, 0 failed"])
  }

  @Test func anUnexpectedErrorIsAMismatch() {
    let capture = RunCapture()
    let summary = capture.run(SourceFile(name: "t.jss", text: "1 / 0\n#= 1\n"), .init(mode: .replay))
    #expect((summary.passed, summary.failed) == (0, 1))
    #expect(capture.out.contains("+ ! error: division by zero"))
    #expect(capture.out.contains("- 1"))
  }

  @Test func runPrintsResultsAndIgnoresRecordings() {
    let capture = RunCapture()
    let summary = capture.run(
      SourceFile(name: "t.jss", text: "let x = 3\nx\n#= 999\nseed -1\n#! error: whatever\n\"after\"\n"),
      .init(mode: .run))
    #expect(summary.exitCode == .success)
    #expect(capture.out == ["3", "after"])
    #expect(capture.err.count == 1, "the expected failure is still reported")
  }

  @Test func runStopsAtTheFirstUnexpectedError() {
    let capture = RunCapture()
    let summary = capture.run(SourceFile(name: "t.jss", text: "1\n1 / 0\n2\n"), .init(mode: .run))
    #expect(summary.exitCode == .failure)
    #expect((summary.passed, summary.failed) == (1, 1))
    #expect(capture.out == ["1"])
    #expect(capture.err == ["t.jss:2:1: error: division by zero\n  |\n2 | 1 / 0\n  | ^~~~~"])
  }

  @Test func checkErrorsStopTheRunBeforeAnythingRuns() {
    let capture = RunCapture()
    let summary = capture.run(
      SourceFile(name: "t.jss", text: "\"first\"\nreport nobody\nseed 1.5\n"), .init(mode: .run))
    #expect(summary.exitCode == .dataError)
    #expect(summary.failed == 2)
    #expect(capture.out == [])
    #expect(capture.err.count == 2)
  }

  @Test func aMissingInputFoundByTheCheckEndsWith66() {
    let capture = RunCapture()
    let summary = capture.run(SourceFile(name: "t.jss", text: "load \"/no/such.onnx\"\n"), .init(mode: .run))
    #expect(summary.exitCode == .noInput)
  }

  @Test func echoPrintsEachStatement() {
    let capture = RunCapture()
    _ = capture.run(
      SourceFile(name: "t.jss", text: "let x = 1\nif x == 1 {\n  x\n}\n"), .init(mode: .run, echo: true))
    #expect(capture.out == ["> let x = 1", "> if x == 1 {\n>   x\n> }", "1"])
  }
}
