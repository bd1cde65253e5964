import CLineEdit
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What the process is connected to, and what that allows: line editing, colour, animation.
///
/// The REPL edits lines and prints a prompt only when a person is on both ends (stdin and
/// stdout are terminals), like psql's "notty" test; piped input runs as a plain script.
/// Colour follows clig.dev and no-color.org: only on a terminal, never with `NO_COLOR` set,
/// `TERM=dumb`, or `--no-color`. The values are injectable so the policy can be tested.
public struct Terminal: Sendable, Equatable {
  /// Whether standard input is a terminal.
  public var stdinIsTTY: Bool
  /// Whether standard output is a terminal.
  public var stdoutIsTTY: Bool
  /// Whether standard error is a terminal.
  public var stderrIsTTY: Bool
  /// The environment variables the policy reads (`NO_COLOR`, `TERM`).
  public var environment: [String: String]

  /// Creates a description from explicit facts (for tests and for callers that know better).
  public init(
    stdinIsTTY: Bool, stdoutIsTTY: Bool, stderrIsTTY: Bool, environment: [String: String]
  ) {
    self.stdinIsTTY = stdinIsTTY
    self.stdoutIsTTY = stdoutIsTTY
    self.stderrIsTTY = stderrIsTTY
    self.environment = environment
  }

  /// Describes the current process's standard streams and environment.
  public static func current() -> Terminal {
    Terminal(
      stdinIsTTY: isatty(0) == 1, stdoutIsTTY: isatty(1) == 1, stderrIsTTY: isatty(2) == 1,
      environment: ProcessInfo.processInfo.environment)
  }

  /// True when a person types and reads: both stdin and stdout are terminals.
  ///
  /// Only then does the REPL use libedit, a prompt, a banner and the history file.
  public var isInteractive: Bool { stdinIsTTY && stdoutIsTTY }

  /// Whether the environment forbids colour whatever the stream (`NO_COLOR` set and non-empty,
  /// or `TERM=dumb`).
  public var environmentForbidsColor: Bool {
    if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return true }
    return environment["TERM"] == "dumb"
  }

  /// Whether results written to stdout may carry ANSI colour.
  /// - Parameter noColorFlag: the user passed `--no-color`.
  public func colorOnStdout(noColorFlag: Bool = false) -> Bool {
    stdoutIsTTY && !noColorFlag && !environmentForbidsColor
  }

  /// Whether progress and messages written to stderr may carry ANSI colour.
  /// - Parameter noColorFlag: the user passed `--no-color`.
  public func colorOnStderr(noColorFlag: Bool = false) -> Bool {
    stderrIsTTY && !noColorFlag && !environmentForbidsColor
  }

  /// Whether progress may animate (redraw in place) on stderr: a terminal that is not dumb.
  public var canAnimateOnStderr: Bool { stderrIsTTY && environment["TERM"] != "dumb" }

  /// The width of the terminal on stdout in columns, or 80 when it is not a terminal.
  public static var columns: Int { columns(ofDescriptor: 1) }

  /// The width of the terminal on `descriptor`, falling back to `$COLUMNS`, then 80.
  public static func columns(ofDescriptor descriptor: Int32) -> Int {
    let reported = Int(jle_terminal_columns(descriptor))
    if reported > 0 { return reported }
    if let text = ProcessInfo.processInfo.environment["COLUMNS"], let value = Int(text), value > 0 {
      return value
    }
    return 80
  }
}
