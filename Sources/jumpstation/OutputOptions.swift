import ArgumentParser
import Foundation
import JumpREPL
import JumpScript

/// Output flags shared by the subcommands.
struct OutputOptions: ParsableArguments {
  @Flag(help: "Print one JSON object per statement instead of text.")
  var json = false

  @Flag(name: .customLong("no-color"), help: "Never colour the output.")
  var noColor = false

  @Flag(help: "Print each statement before its output.")
  var echo = false

  /// Whether diagnostics on stderr may be coloured.
  var colorErrors: Bool {
    Terminal.current().colorOnStderr(noColorFlag: noColor)
  }
}

/// Helpers every subcommand uses to build an interpreter and talk to the terminal.
enum Console {
  /// Writes a line to stdout.
  static func out(_ line: String) {
    print(line)
  }

  /// Whether stderr can redraw a status line in place.
  static let animatesStderr = Terminal.current().canAnimateOnStderr

  /// Writes a line to stderr (over a pending status line, when there is one).
  static func err(_ line: String) {
    FileHandle.standardError.write(Data(((animatesStderr ? "\r\u{1B}[K" : "") + line + "\n").utf8))
  }

  /// Redraws the status line on stderr: carriage return, clear to the end, the text cut to the width.
  static func status(_ line: String) {
    let width = max(Terminal.columns(ofDescriptor: 2) - 1, 20)
    let shown = line.count > width ? String(line.prefix(width - 1)) + "…" : line
    FileHandle.standardError.write(Data(("\r\u{1B}[K" + shown).utf8))
  }

  /// An interpreter whose commands log to stderr, redraw progress there on a terminal, and notice Ctrl-C.
  static func makeInterpreter(color: Bool) -> Interpreter {
    _ = Interrupt.installHandler()
    var status: (@Sendable (String) -> Void)? = nil
    if animatesStderr { status = { Console.status($0) } }
    let environment = RunEnvironment(
      stdlibDirectory: RunEnvironment.locateStdlib(),
      log: { Console.err($0) },
      status: status,
      isCancelled: { Interrupt.isPending },
      color: color)
    return Interpreter(environment: environment)
  }

  /// Reads a script file, or exits 66 with a clear message when it cannot.
  static func readScript(_ path: String) throws -> SourceFile {
    guard FileManager.default.fileExists(atPath: path) else {
      err("error: no such script '\(path)'")
      throw ExitCode(ExitStatus.noInput.rawValue)
    }
    do {
      let text = try String(contentsOfFile: path, encoding: .utf8)
      return SourceFile(name: path, text: text)
    } catch {
      err("error: cannot read '\(path)': not a UTF-8 text file")
      throw ExitCode(ExitStatus.noInput.rawValue)
    }
  }

  /// Ends the process with a status (returns normally for success).
  static func finish(_ status: ExitStatus) throws {
    if status != .success { throw ExitCode(status.rawValue) }
  }
}
