import Foundation
import JumpScript
import Testing

@testable import JumpREPL

/// `.help` for functions the session defined with `def`, next to the built-in commands.
@Suite struct SessionBackendTests {
  private func backend() -> SessionBackend {
    let stdlib = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("stdlib")
    let interpreter = Interpreter(environment: RunEnvironment(stdlibDirectory: stdlib))
    return SessionBackend(
      interpreter: interpreter, journal: SessionJournal(directory: nil),
      output: REPLOutput(standardOutput: { _ in }, standardError: { _ in }))
  }

  private func output(_ outcome: CellOutcome) -> String {
    if case .ok(let text) = outcome { return text }
    return "\(outcome)"
  }

  @Test func helpShowsADefinedFunctionsOptionsAndDefaults() {
    let session = backend()
    #expect(output(session.execute(cell: "use pipelines", number: 1)) == "")
    let help = output(session.execute(cell: ".help fit", number: 2))
    #expect(help.hasPrefix("fit DEVICE [min_agreement="))
    #expect(help.contains("a function defined with `def` in"))
    #expect(help.contains("options:"))
    #expect(help.contains("min_agreement"))
    #expect(help.contains("max_drop"))
    let list = output(session.execute(cell: ".help", number: 3))
    #expect(list.contains("functions (def):\n  fit DEVICE"))
  }

  @Test func helpSuggestsAFunctionName() {
    let session = backend()
    _ = session.execute(cell: "def scale(x, by=2) {\n}", number: 1)
    #expect(output(session.execute(cell: ".help scale", number: 2)).hasPrefix("scale X [by=2]"))
    guard case .failed(let message, _) = session.execute(cell: ".help scael", number: 3) else {
      Issue.record("expected a failure")
      return
    }
    #expect(message.contains("did you mean 'scale'?"))
  }

  @Test func aFunctionsOptionsCompleteLikeACommands() {
    let session = backend()
    _ = session.execute(cell: "def scale(x, by=2, bias=0) {\n}", number: 1)
    #expect(session.completions(forLineBeforeCursor: "scale 1 b") == ["bias=", "by="])
  }

  @Test func defHelpShowsOptions() {
    let help = output(backend().execute(cell: ".help def", number: 1))
    #expect(
      help.hasPrefix(
        "def NAME(PARAM, ..., OPTION=DEFAULT, ...) { ... } — define a function; call it as NAME ARG"))
    #expect(help.contains("OPTION=VALUE"))
  }
}
