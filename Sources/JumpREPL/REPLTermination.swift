/// Why a REPL run ended, and the exit status that follows.
public enum REPLTermination: Sendable, Equatable {
  /// Input ended (Ctrl-D, or the end of piped input) with every cell run.
  case endOfInput
  /// A cell asked to quit.
  case quit(exitStatus: Int32)
  /// A cell failed in non-interactive mode, which stops the run.
  case failed(cell: Int, exitStatus: Int32)
  /// Ctrl-C stopped a non-interactive run.
  case interrupted

  /// The process exit status: 0, the backend's status, or 130 (128 + SIGINT) for Ctrl-C.
  public var exitStatus: Int32 {
    switch self {
    case .endOfInput: 0
    case .quit(let status): status
    case .failed(_, let status): status
    case .interrupted: 130
    }
  }
}
