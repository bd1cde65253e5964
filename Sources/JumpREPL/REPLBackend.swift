/// What running one cell produced.
///
/// Failures and quits carry an exit status, chosen by the backend (1 for a failed command,
/// 65 for a script that does not parse, …), which the REPL returns from a plain-mode run.
public enum CellOutcome: Sendable, Equatable {
  /// The cell ran; `output` is its result text for stdout (may be empty).
  case ok(output: String)
  /// The cell failed; `message` goes to stderr, `exitStatus` ends a non-interactive run.
  case failed(message: String, exitStatus: Int32)
  /// Ctrl-C stopped the cell; the session is unchanged.
  case cancelled
  /// The cell asked to end the session (`.quit`), with this exit status.
  case quit(exitStatus: Int32)
}

/// The language side of the REPL: the terminal layer hands it cells and asks it questions.
///
/// The REPL owns prompts, line editing, history and Ctrl-C at the prompt; the backend owns
/// meaning. Meta-commands (lines starting with `.`) arrive through ``execute(cell:number:)``
/// like any cell. While a cell runs, Ctrl-C only sets the flag behind ``Interrupt``; the
/// backend polls ``Interrupt/isPending`` and returns ``CellOutcome/cancelled``. The REPL clears
/// the flag before each cell.
public protocol REPLBackend: AnyObject {
  /// Runs one complete cell of input (possibly several lines, joined with `\n`).
  /// - Parameters:
  ///   - cell: the source text.
  ///   - number: the cell's number, as shown in the prompt (`<In[number]>` in messages).
  func execute(cell: String, number: Int) -> CellOutcome
  /// True when `text` is incomplete (an unclosed `{` block) and the REPL should read more lines.
  func needsMoreInput(_ text: String) -> Bool
  /// Completion candidates for the line typed so far: whole replacements for the word at its
  /// end as ``CompletionWord`` finds it (``PathCompleter`` produces such candidates for paths).
  func completions(forLineBeforeCursor line: String) -> [String]
}

/// A backend that numbers cells itself, so the prompt shows the number its results will get.
///
/// When the language numbers statements (so that `_3` names what `[3]` showed), the REPL asks
/// for ``nextCellNumber`` before each prompt instead of counting cells on its own.
public protocol REPLCellNumbering: AnyObject {
  /// The number the next cell will get.
  var nextCellNumber: Int { get }
}
