/// What one attempt to read a line at the prompt produced.
public enum LineEditorResult: Sendable, Equatable {
  /// A line the user accepted with Enter, without its trailing newline.
  case line(String)
  /// Ctrl-C at the prompt: the partial line was discarded; the caller should prompt again.
  case interrupted
  /// Ctrl-D on an empty line (or the input closed): the session should end.
  case endOfInput
}

/// A source of prompted input lines: the libedit-backed ``LineEditor``, or a script in tests.
///
/// The interactive REPL loop depends only on this, so its cell numbering, block accumulation
/// and Ctrl-C behaviour can be tested without a terminal.
public protocol LineReading: AnyObject {
  /// Shows `prompt` and reads one line.
  func readLine(prompt: String) -> LineEditorResult
}
