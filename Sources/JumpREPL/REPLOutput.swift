import CLineEdit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the REPL writes: results to stdout, messages to stderr (replaceable in tests).
public struct REPLOutput {
  /// Writes result text.
  public var standardOutput: (String) -> Void
  /// Writes errors and notices.
  public var standardError: (String) -> Void

  /// Creates an output from two writers.
  public init(standardOutput: @escaping (String) -> Void, standardError: @escaping (String) -> Void) {
    self.standardOutput = standardOutput
    self.standardError = standardError
  }

  /// The process's stdout and stderr, through C stdio (the same `FILE`s libedit draws on),
  /// flushed after each write so prompts and results never reorder.
  public static var standard: REPLOutput {
    REPLOutput(
      standardOutput: { text in
        fputs(text, jle_stdout())
        fflush(jle_stdout())
      },
      standardError: { text in
        fputs(text, jle_stderr())
        fflush(jle_stderr())
      })
  }
}
