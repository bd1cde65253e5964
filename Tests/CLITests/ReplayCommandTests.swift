import Foundation
import Testing

/// `jumpstation replay FILE... [--update]`: compares results with `#=` / `#!` recordings.
@Suite(.enabled(if: JumpStationProcess.binary != nil, JumpStationProcess.missingBinary))
struct ReplayCommandTests {
  let teacher = JumpStationProcess.path("tutorials/data/teacher.onnx")

  private var transcript: String {
    """
    # A transcript: the script, the session and the test.
    load "\(teacher)" as teacher
    #= teacher: 13 nodes, 0.87 M params, fp32, [..]
    let r = report
    r.params / 1000
    #= 874.9~0.1
    1KB + 1ms
    #! error: cannot add a time to a size

    """
  }

  @Test func aMatchingTranscriptPasses() throws {
    let script = try JumpStationProcess.script(transcript)
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }
    let result = try JumpStationProcess.run(["replay", script.path])
    #expect(result.status == 0)
    #expect(result.lines == ["4 passed, 0 failed"])
  }

  @Test func aMismatchExits1WithADiff() throws {
    let changed = transcript.replacingOccurrences(of: "874.9~0.1", with: "900")
    let script = try JumpStationProcess.script(changed)
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }
    let result = try JumpStationProcess.run(["replay", script.path])
    #expect(result.status == 1)
    #expect(
      result.lines == [
        "mismatch at \(script.path):5: r.params / 1000", "--- recorded", "+++ actual", "- 900", "+ 874.89",
        "3 passed, 1 failed",
      ])
  }

  @Test func updateRewritesTheRecordingsThenReplayPasses() throws {
    let stale = """
      let x = 21
      x * 2
      #= 41
      "new"
      1 / 0
      #= 1

      """
    let script = try JumpStationProcess.script(stale)
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }
    #expect(try JumpStationProcess.run(["replay", script.path]).status == 1)

    let update = try JumpStationProcess.run(["replay", "--update", script.path])
    #expect(update.status == 0)
    #expect(update.stderr.contains("updated \(script.path)"))
    #expect(
      try String(contentsOf: script, encoding: .utf8) == """
        let x = 21
        x * 2
        #= 42
        "new"
        #= new
        1 / 0
        #! error: division by zero

        """)

    let replay = try JumpStationProcess.run(["replay", script.path])
    #expect(replay.status == 0)
    #expect(replay.lines == ["4 passed, 0 failed"])
  }

  @Test func severalFilesGetATotal() throws {
    let good = try JumpStationProcess.script("1 + 1\n#= 2\n", named: "a.jss")
    let bad = try JumpStationProcess.script("1 + 1\n#= 3\n", named: "b.jss")
    defer {
      try? FileManager.default.removeItem(at: good.deletingLastPathComponent())
      try? FileManager.default.removeItem(at: bad.deletingLastPathComponent())
    }
    let result = try JumpStationProcess.run(["replay", good.path, bad.path])
    #expect(result.status == 1)
    #expect(result.lines.last == "total: 1 passed, 1 failed")
  }
}
