/// Settings of a REPL run that do not come from the backend.
public struct REPLConfiguration {
  /// Printed once when an interactive session starts; never in plain mode.
  public var banner: String?
  /// The prompt style (colour is decided by the caller, see ``Terminal/colorOnStdout(noColorFlag:)``).
  public var prompt: Prompt
  /// Where interactive history persists; nil keeps it in memory only. Unused in plain mode.
  public var historyFile: HistoryFile?
  /// Where results and messages go.
  public var output: REPLOutput
  /// The terminal facts that choose interactive or plain mode.
  public var terminal: Terminal

  /// Creates a configuration.
  public init(
    banner: String? = nil, prompt: Prompt = Prompt(), historyFile: HistoryFile? = nil,
    output: REPLOutput = .standard, terminal: Terminal = .current()
  ) {
    self.banner = banner
    self.prompt = prompt
    self.historyFile = historyFile
    self.output = output
    self.terminal = terminal
  }

  /// The usual setup for this process: colour by the terminal policy (and `--no-color`),
  /// history at ``HistoryFile/defaultPath(environment:application:)``.
  public static func standard(banner: String?, noColorFlag: Bool = false) -> REPLConfiguration {
    let terminal = Terminal.current()
    return REPLConfiguration(
      banner: banner, prompt: Prompt(colored: terminal.colorOnStdout(noColorFlag: noColorFlag)),
      historyFile: HistoryFile(path: HistoryFile.defaultPath()), terminal: terminal)
  }
}

/// The read–execute–print loop: numbered cells, continuation lines, Ctrl-C and Ctrl-D.
///
/// On a terminal it reads through ``LineEditor`` with prompts `jss [n]> ` and `...> `; Ctrl-C
/// at the prompt drops the partial cell (all its lines) and prompts again with the same number;
/// Ctrl-D on an empty line ends the session with status 0. Cells that fail keep the session.
/// Without a terminal it reads plain lines with no prompt, banner or history, and stops at the
/// first failed cell, returning the backend's exit status.
public final class REPL {
  /// The language side.
  public let backend: REPLBackend
  /// Settings.
  public var configuration: REPLConfiguration

  /// Creates a REPL over `backend`.
  public init(backend: REPLBackend, configuration: REPLConfiguration = .standard(banner: nil)) {
    self.backend = backend
    self.configuration = configuration
  }

  /// Installs the Ctrl-C handler and runs interactively or plainly, as the terminal allows.
  public func run() -> REPLTermination {
    Interrupt.installHandler()
    if configuration.terminal.isInteractive {
      do {
        let editor = try LineEditor(historyFile: configuration.historyFile)
        let backend = self.backend
        editor.completer = { [unowned backend] line in backend.completions(forLineBeforeCursor: line) }
        return runInteractive(reader: editor)
      } catch {
        configuration.output.standardError("warning: line editing unavailable (\(error))\n")
      }
    }
    return runPlain { Swift.readLine(strippingNewline: true) }
  }

  /// The interactive loop over any line source (a ``LineEditor``, or a script in tests).
  public func runInteractive(reader: LineReading) -> REPLTermination {
    let output = configuration.output
    if let banner = configuration.banner { output.standardOutput(terminated(banner)) }
    var number = nextNumber(after: 0)
    var pending: [String] = []
    while true {
      let prompt =
        pending.isEmpty
        ? configuration.prompt.primary(cell: number) : configuration.prompt.continuation(cell: number)
      switch reader.readLine(prompt: prompt) {
      case .endOfInput:
        output.standardOutput("\n")
        return .endOfInput
      case .interrupted:
        pending.removeAll()
      case .line(let line):
        guard let cell = accumulate(line, into: &pending) else { continue }
        let outcome = run(cell, number: number)
        number = nextNumber(after: number)
        if case .quit(let status) = outcome { return .quit(exitStatus: status) }
      }
    }
  }

  /// The plain loop: no prompt, stops at the first failure or Ctrl-C.
  /// - Parameter nextLine: returns the next input line without its newline, nil at the end.
  public func runPlain(nextLine: () -> String?) -> REPLTermination {
    var number = nextNumber(after: 0)
    var pending: [String] = []
    while true {
      let cell: String
      if let line = nextLine() {
        guard let complete = accumulate(line, into: &pending) else { continue }
        cell = complete
      } else {
        if Interrupt.take() { return .interrupted }
        guard !pending.isEmpty else { return .endOfInput }
        // An unclosed block at the end of input: let the backend report it.
        cell = pending.joined(separator: "\n")
        pending.removeAll()
      }
      switch run(cell, number: number) {
      case .ok: number = nextNumber(after: number)
      case .failed(_, let status): return .failed(cell: number, exitStatus: status)
      case .cancelled: return .interrupted
      case .quit(let status): return .quit(exitStatus: status)
      }
    }
  }

  /// The number of the next cell: the backend's if it numbers cells, else one more than `number`.
  private func nextNumber(after number: Int) -> Int {
    (backend as? REPLCellNumbering)?.nextCellNumber ?? number + 1
  }

  /// Adds `line` to the open cell; returns the cell once it is complete and not blank.
  private func accumulate(_ line: String, into pending: inout [String]) -> String? {
    if pending.isEmpty && line.allSatisfy(\.isWhitespace) { return nil }
    pending.append(line)
    let text = pending.joined(separator: "\n")
    if backend.needsMoreInput(text) { return nil }
    pending.removeAll()
    return text
  }

  /// Runs one cell with a clean Ctrl-C flag and prints what it produced.
  private func run(_ cell: String, number: Int) -> CellOutcome {
    Interrupt.clear()
    let outcome = backend.execute(cell: cell, number: number)
    let output = configuration.output
    switch outcome {
    case .ok(let text):
      if !text.isEmpty { output.standardOutput(terminated(text)) }
    case .failed(let message, _):
      if !message.isEmpty { output.standardError(terminated(message)) }
    case .cancelled:
      // A terminal in cooked mode has echoed "^C" where the cursor was; start a fresh line.
      output.standardError(configuration.terminal.stderrIsTTY ? "\ncancelled\n" : "cancelled\n")
    case .quit:
      break
    }
    return outcome
  }

  /// `text` ending in exactly the newline it already has, or one added.
  private func terminated(_ text: String) -> String {
    text.hasSuffix("\n") ? text : text + "\n"
  }
}
