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
}
