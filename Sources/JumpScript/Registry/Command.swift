import JumpEngine

/// A command of the language: a signature declared once, and what it does.
///
/// Each command lives in its own file under `Commands/`. `run` works on a copy of the session
/// state; the interpreter keeps the copy only if `run` returns normally.
public protocol Command: Sendable {
  /// The declaration that drives checking, completion and help.
  static var signature: CommandSignature { get }

  /// Performs the command and returns its result (``Value/none`` when it has none).
  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
}

/// A failure of a command, reported at the argument it concerns when there is one.
public struct CommandError: Error, Sendable {
  /// One line saying what went wrong.
  public var message: String
  /// The name of the parameter whose argument is at fault, for the caret.
  public var parameter: String?
  /// A suggestion.
  public var hint: String?
  /// The exit code a command-line run ends with.
  public var exitCode: ExitStatus

  /// Creates a command error.
  public init(
    _ message: String, parameter: String? = nil, hint: String? = nil, exitCode: ExitStatus = .failure
  ) {
    self.message = message
    self.parameter = parameter
    self.hint = hint
    self.exitCode = exitCode
  }

  /// Wraps an engine error, keeping its exit-code class (66 for missing or mismatched inputs).
  public init(_ error: EngineError, parameter: String? = nil) {
    self.message = error.message
    self.parameter = parameter
    self.hint = nil
    switch error.kind {
    case .missingInput, .hashMismatch: self.exitCode = .noInput
    case .cancelled: self.exitCode = .interrupted
    default: self.exitCode = .failure
    }
  }
}

/// What a running command can reach: the session state to change and the world around it.
public struct CommandContext {
  /// The session state; changes are kept only if the command succeeds.
  public var state: SessionState
  /// Files, logging and cancellation.
  public let environment: RunEnvironment
}
