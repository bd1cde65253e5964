import Foundation
import Testing

@testable import JumpREPL

/// Replays scripted prompt results and records the prompts it was shown.
private final class ScriptedReader: LineReading {
  var script: [LineEditorResult]
  var prompts: [String] = []

  init(_ script: [LineEditorResult]) { self.script = script }

  func readLine(prompt: String) -> LineEditorResult {
    prompts.append(prompt)
    return script.isEmpty ? .endOfInput : script.removeFirst()
  }
}

/// Echoes cells; `fail…` fails with status 1, `.quit` quits, `{` opens a block.
private final class EchoBackend: REPLBackend {
  var executed: [(String, Int)] = []

  func execute(cell: String, number: Int) -> CellOutcome {
    executed.append((cell, number))
    if cell == ".quit" { return .quit(exitStatus: 0) }
    if cell.hasPrefix("fail") { return .failed(message: "error: \(cell)", exitStatus: 1) }
    if cell == "cancel" { return .cancelled }
    return .ok(output: "ran \(number)")
  }

  func needsMoreInput(_ text: String) -> Bool {
    text.filter { $0 == "{" }.count > text.filter { $0 == "}" }.count
  }

  func completions(forLineBeforeCursor line: String) -> [String] { [] }
}

/// Collects what the REPL writes.
private final class Capture {
  var out = ""
  var err = ""
  var output: REPLOutput {
    REPLOutput(standardOutput: { self.out += $0 }, standardError: { self.err += $0 })
  }
}

private func makeREPL(_ backend: EchoBackend, _ capture: Capture, banner: String? = nil) -> REPL {
  let terminal = Terminal(stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, environment: [:])
  return REPL(
    backend: backend,
    configuration: REPLConfiguration(banner: banner, output: capture.output, terminal: terminal))
}

/// Sends SIGINT to the process and waits until the handler has run.
///
/// `raise` would target the calling thread, and test threads (libdispatch workers) block
/// asynchronous signals; `kill` lets the kernel pick a thread that accepts it, as Ctrl-C does.
private func sendInterrupt() {
  kill(getpid(), SIGINT)
  for _ in 0..<200 where !Interrupt.isPending { usleep(5000) }
}

/// These tests share the process-wide interrupt flag, so they run one at a time.
@Suite(.serialized) struct REPLLoopTests {
  @Test func numbersCellsAndContinuesBlocks() {
    let backend = EchoBackend()
    let capture = Capture()
    let reader = ScriptedReader([.line("seed 1"), .line("for x {"), .line("  y"), .line("}"), .line("   ")])
    let end = makeREPL(backend, capture, banner: "hello").runInteractive(reader: reader)
    #expect(end == .endOfInput)
    #expect(end.exitStatus == 0)
    #expect(reader.prompts == ["jss [1]> ", "jss [2]> ", "    ...> ", "    ...> ", "jss [3]> ", "jss [3]> "])
    #expect(backend.executed.map(\.0) == ["seed 1", "for x {\n  y\n}"])
    #expect(backend.executed.map(\.1) == [1, 2])
    #expect(capture.out == "hello\nran 1\nran 2\n\n")
  }

  @Test func ctrlCAtThePromptDropsTheWholeCellAndKeepsItsNumber() {
    let backend = EchoBackend()
    let capture = Capture()
    let reader = ScriptedReader([.line("for x {"), .line("y"), .interrupted, .line("seed 2")])
    _ = makeREPL(backend, capture).runInteractive(reader: reader)
    #expect(reader.prompts == ["jss [1]> ", "    ...> ", "    ...> ", "jss [1]> ", "jss [2]> "])
    #expect(backend.executed.map(\.0) == ["seed 2"])
  }

  @Test func failuresKeepAnInteractiveSessionAndQuitCarriesStatus() {
    let backend = EchoBackend()
    let capture = Capture()
    let reader = ScriptedReader([.line("fail x"), .line("cancel"), .line(".quit"), .line("never")])
    let end = makeREPL(backend, capture).runInteractive(reader: reader)
    #expect(end == .quit(exitStatus: 0))
    #expect(capture.err == "error: fail x\ncancelled\n")
    #expect(backend.executed.map(\.1) == [1, 2, 3])
  }

  @Test func aBackendThatNumbersCellsDrivesThePrompt() {
    final class Numbered: REPLBackend, REPLCellNumbering {
      var nextCellNumber = 5
      func execute(cell: String, number: Int) -> CellOutcome {
        nextCellNumber += 2
        return .ok(output: "")
      }
      func needsMoreInput(_ text: String) -> Bool { false }
      func completions(forLineBeforeCursor line: String) -> [String] { [] }
    }
    let terminal = Terminal(stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, environment: [:])
    let repl = REPL(
      backend: Numbered(), configuration: REPLConfiguration(output: Capture().output, terminal: terminal))
    let reader = ScriptedReader([.line("a"), .interrupted, .line("b")])
    _ = repl.runInteractive(reader: reader)
    #expect(reader.prompts == ["jss [5]> ", "jss [7]> ", "jss [7]> ", "jss [9]> "])
  }

  @Test func plainModeStopsAtTheFirstFailure() {
    let backend = EchoBackend()
    let capture = Capture()
    var lines = ["seed 1", "", "fail here", "seed 2"][...]
    let end = makeREPL(backend, capture).runPlain { lines.popFirst() }
    #expect(end == .failed(cell: 2, exitStatus: 1))
    #expect(end.exitStatus == 1)
    #expect(capture.out == "ran 1\n")
    #expect(capture.err == "error: fail here\n")
    #expect(backend.executed.map(\.0) == ["seed 1", "fail here"])
  }

  @Test func plainModeHandsAnUnclosedBlockToTheBackendAtEnd() {
    let backend = EchoBackend()
    let capture = Capture()
    var lines = ["for x {", "y"][...]
    let end = makeREPL(backend, capture).runPlain { lines.popFirst() }
    #expect(end == .endOfInput)
    #expect(backend.executed.map(\.0) == ["for x {\ny"])
  }

  @Test func plainModeCancelledCellExits130() {
    let backend = EchoBackend()
    var lines = ["cancel", "seed"][...]
    let end = makeREPL(backend, Capture()).runPlain { lines.popFirst() }
    #expect(end == .interrupted)
    #expect(end.exitStatus == 130)
  }

  @Test func sigintSetsTheFlagAndTakeClearsIt() {
    #expect(Interrupt.installHandler(forcedExitAfter: 0))
    Interrupt.clear()
    #expect(!Interrupt.isPending)
    sendInterrupt()
    #expect(Interrupt.isPending)
    #expect(Interrupt.isPending)
    #expect(Interrupt.take())
    #expect(!Interrupt.take())
    sendInterrupt()
    Interrupt.clear()
    #expect(!Interrupt.isPending)
  }

  @Test func ctrlCWhileWaitingForPipedInputEndsWith130() {
    #expect(Interrupt.installHandler(forcedExitAfter: 0))
    let backend = EchoBackend()
    let end = makeREPL(backend, Capture()).runPlain {
      sendInterrupt()
      return nil
    }
    #expect(end == .interrupted)
  }

  @Test func theFlagIsClearedBeforeEachCell() {
    #expect(Interrupt.installHandler(forcedExitAfter: 0))
    final class Probe: REPLBackend {
      var sawPending = false
      func execute(cell: String, number: Int) -> CellOutcome {
        sawPending = sawPending || Interrupt.isPending
        return .ok(output: "")
      }
      func needsMoreInput(_ text: String) -> Bool { false }
      func completions(forLineBeforeCursor line: String) -> [String] { [] }
    }
    let probe = Probe()
    let terminal = Terminal(stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, environment: [:])
    let repl = REPL(
      backend: probe, configuration: REPLConfiguration(output: Capture().output, terminal: terminal))
    sendInterrupt()
    var lines = ["a"][...]
    _ = repl.runPlain { lines.popFirst() }
    #expect(!probe.sawPending)
  }
}
