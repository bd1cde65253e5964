import Testing

@testable import JumpREPL

@Suite struct TerminalTests {
  private func terminal(tty: Bool, _ environment: [String: String] = ["TERM": "xterm-256color"]) -> Terminal {
    Terminal(stdinIsTTY: tty, stdoutIsTTY: tty, stderrIsTTY: tty, environment: environment)
  }

  @Test func interactiveNeedsBothEnds() {
    #expect(terminal(tty: true).isInteractive)
    #expect(!terminal(tty: false).isInteractive)
    let piped = Terminal(stdinIsTTY: false, stdoutIsTTY: true, stderrIsTTY: true, environment: [:])
    #expect(!piped.isInteractive)
    let redirected = Terminal(stdinIsTTY: true, stdoutIsTTY: false, stderrIsTTY: true, environment: [:])
    #expect(!redirected.isInteractive)
  }

  @Test func colorPolicy() {
    #expect(terminal(tty: true).colorOnStdout())
    #expect(!terminal(tty: true).colorOnStdout(noColorFlag: true))
    #expect(!terminal(tty: false).colorOnStdout())
    #expect(!terminal(tty: true, ["TERM": "dumb"]).colorOnStdout())
    #expect(!terminal(tty: true, ["TERM": "xterm", "NO_COLOR": "1"]).colorOnStderr())
    // An empty NO_COLOR does not disable colour (no-color.org).
    #expect(terminal(tty: true, ["TERM": "xterm", "NO_COLOR": ""]).colorOnStdout())
    #expect(!terminal(tty: true, ["TERM": "dumb"]).canAnimateOnStderr)
  }
}
