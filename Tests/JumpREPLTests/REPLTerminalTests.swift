import Foundation
import JumpScript
import Testing

/// The REPL executable these tests drive: `$JUMPSTATION_BINARY`, else `.build/debug/jumpstation`
/// in this package; nil (tests skipped) when it or tmux is missing.
private let replBinary: String? = {
  guard TmuxSession.executable != nil else { return nil }
  if let path = ProcessInfo.processInfo.environment["JUMPSTATION_BINARY"], !path.isEmpty {
    return path
  }
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  let path = root.appendingPathComponent(".build/debug/jumpstation").path
  return FileManager.default.isExecutableFile(atPath: path) ? path : nil
}()

/// A fresh `XDG_STATE_HOME`, so the history file is private to the test.
private func temporaryStateHome() -> String {
  NSTemporaryDirectory() + "jumprepl-tmux-" + UUID().uuidString
}

/// Starts the REPL in tmux and waits for its first prompt.
///
/// Screens come from `capture-pane -p`, which drops trailing spaces, so prompts are matched
/// without the space that follows `>`.
private func startREPL(stateHome: String) throws -> TmuxSession {
  let binary = try #require(replBinary)
  let session = try TmuxSession(
    command: [binary], environment: ["XDG_STATE_HOME": stateHome, "NO_COLOR": "1", "TERM": "xterm"])
  let (screen, matched) = try session.wait(for: "jss [1]>")
  #expect(
    matched,
    "no `jss [1]>` prompt from \(binary) (is Sources/jumpstation/main.swift running REPL.run()?); screen:\n\(screen)"
  )
  if !matched { throw TmuxError(description: "no prompt") }
  return session
}

/// Drives the real `jumpstation` REPL in a pseudo-terminal: prompt, Enter, Tab, history, ^C, ^D.
@Suite(
  .enabled(
    if: replBinary != nil,
    "needs tmux and .build/debug/jumpstation (or JUMPSTATION_BINARY); run `swift build` first"))
struct REPLTerminalTests {
  @Test func enterRunsTheLineAndTheNextCellIsNumbered() throws {
    let session = try startREPL(stateHome: temporaryStateHome())
    defer { session.close() }
    try session.type("seed 42")
    try session.send(keys: "Enter")
    let (screen, matched) = try session.wait(for: "jss [2]>")
    #expect(matched, "second prompt missing:\n\(screen)")
    #expect(screen.contains("jss [1]> seed 42"))
  }

  @Test func tabCompletesACommandPrefix() throws {
    let session = try startREPL(stateHome: temporaryStateHome())
    defer { session.close() }
    try session.type("repo")
    #expect(try session.wait(for: "jss [1]> repo").matched)
    try session.send(keys: "Tab")
    let (screen, matched) = try session.wait { $0.contains("jss [1]> report") }
    #expect(matched, "Tab did not complete `repo`:\n\(screen)")
  }

  @Test func upArrowRecallsALineFromAPreviousSession() throws {
    let stateHome = temporaryStateHome()
    defer { try? FileManager.default.removeItem(atPath: stateHome) }
    do {
      let first = try startREPL(stateHome: stateHome)
      defer { first.close() }
      try first.type("seed 7")
      #expect(try first.wait(for: "jss [1]> seed 7").matched)
      try first.send(keys: "Enter")
      #expect(try first.wait(for: "jss [2]>").matched)
      try first.send(keys: "C-d")
      let status = try first.waitForExit()
      #expect(status == 0, "Ctrl-D did not end the first session:\n\((try? first.screen()) ?? "")")
    }
    let history = stateHome + "/jumpstation/history"
    let text = try String(contentsOfFile: history, encoding: .utf8)
    #expect(text.hasPrefix("_HiStOrY_V2_\n") && text.contains("seed\\0407\n"))
    let second = try startREPL(stateHome: stateHome)
    defer { second.close() }
    try second.send(keys: "Up")
    let (screen, matched) = try second.wait { $0.contains("jss [1]> seed 7") }
    #expect(matched, "Up did not recall the previous session's line:\n\(screen)")
  }

  @Test func ctrlCAtThePromptClearsTheLineAndKeepsTheSession() throws {
    let session = try startREPL(stateHome: temporaryStateHome())
    defer { session.close() }
    try session.type("seed 4")
    // Wait until libedit has echoed the text: ^C makes the tty flush unread input.
    #expect(try session.wait(for: "jss [1]> seed 4").matched)
    try session.send(keys: "C-c")
    let (screen, matched) = try session.wait { $0.hasSuffix("jss [1]> seed 4\njss [1]>") }
    #expect(matched, "no fresh prompt after Ctrl-C:\n\(screen)")
    #expect(try session.exitStatus() == nil)
    try session.type("seed 5")
    try session.send(keys: "Enter")
    let after = try session.wait(for: "jss [2]>")
    #expect(after.matched, "the session did not survive Ctrl-C:\n\(after.screen)")
    #expect(!after.screen.contains("seed 4seed 5"))
  }

  @Test func ctrlDOnAnEmptyLineExitsWithStatusZero() throws {
    let session = try startREPL(stateHome: temporaryStateHome())
    defer { session.close() }
    try session.send(keys: "C-d")
    let status = try session.waitForExit()
    #expect(
      status == 0,
      "Ctrl-D did not end the session:\n\((try? session.screen()) ?? "")\n\(session.processDiagnostics())")
  }

  @Test func ctrlCDuringALongCommandCancelsItAndKeepsTheSession() throws {
    let work = temporaryStateHome()
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    let session = try startREPL(stateHome: work)
    defer { session.close() }
    try session.type("load \"\(repositoryRoot)/tutorials/data/teacher.onnx\" as teacher")
    try session.send(keys: "Enter")
    #expect(try session.wait(for: "jss [2]>").matched)
    // Hundreds of exports of a 3 MB model: seconds of work, polled for Ctrl-C between statements.
    let list = (1...400).map(String.init).joined(separator: ", ")
    try session.type("for i in [\(list)] { export \"\(work)/copy.onnx\" force=true }")
    try session.send(keys: "Enter")
    #expect(try session.wait(for: "wrote \(work)/copy.onnx").matched)
    try session.send(keys: "C-c")
    let (screen, matched) = try session.wait { $0.contains("cancelled") && $0.hasSuffix("jss [2]>") }
    #expect(matched, "Ctrl-C did not cancel the running loop:\n\(screen)")
    #expect(try session.exitStatus() == nil)
    try session.type("model.name")
    try session.send(keys: "Enter")
    let after = try session.wait(for: "jss [3]>")
    #expect(
      after.matched && after.screen.contains("\nteacher\n"), "the session was not kept:\n\(after.screen)")
  }

  @Test func saveWritesATranscriptThatReplayPasses() throws {
    let work = temporaryStateHome()
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    let session = try startREPL(stateHome: work)
    defer { session.close() }
    let cells = [
      "use targets", "load \"\(repositoryRoot)/tutorials/data/teacher.onnx\" as teacher", "target pico",
      "model.params", "target pic0", "let r = report", "r.size > target.flash",
    ]
    for (index, cell) in cells.enumerated() {
      try session.type(cell)
      try session.send(keys: "Enter")
      #expect(try session.wait(for: "jss [\(index + 2)]>").matched, "cell \(index + 1) did not finish")
    }
    try session.type(".save \(work)/saved.jss")
    try session.send(keys: "Enter")
    #expect(try session.wait(for: "saved \(work)/saved.jss").matched)
    try session.send(keys: "C-d")
    #expect(try session.waitForExit() == 0)

    // Replay the saved file in-process, exactly as `jumpstation replay` does.
    let text = try String(contentsOfFile: "\(work)/saved.jss", encoding: .utf8)
    var lines: [String] = []
    let interpreter = Interpreter(
      environment: RunEnvironment(stdlibDirectory: URL(fileURLWithPath: repositoryRoot + "/stdlib")))
    let runner = ScriptRunner(interpreter: interpreter, out: { lines.append($0) }, err: { lines.append($0) })
    let summary = runner.run(SourceFile(name: "\(work)/saved.jss", text: text), options: .init(mode: .replay))
    #expect(summary.exitCode == .success, "replay of the saved session failed:\n\(text)\n\(lines)")
    #expect(lines.last == "7 passed, 0 failed", "unexpected replay output: \(lines)")
  }
}

/// The repository this test file belongs to.
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path
