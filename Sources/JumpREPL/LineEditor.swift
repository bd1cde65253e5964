import CLineEdit
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a ``LineEditor`` could not be created.
public enum LineEditorError: Error, Equatable {
  /// `el_init` failed (no usable terminal description, or out of memory).
  case editLineUnavailable
  /// `history_init` failed.
  case historyUnavailable
}

/// An interactive line reader over libedit's native API: emacs keys, history, Tab completion.
///
/// Use it only when ``Terminal/isInteractive`` holds; piped input must not go through libedit.
/// Ctrl-C at the prompt returns ``LineEditorResult/interrupted`` (the SIGINT flag from
/// ``Interrupt`` tells it apart from end of input, both of which make `el_gets` return NULL),
/// Ctrl-D on an empty line returns ``LineEditorResult/endOfInput``. Every accepted non-empty
/// line goes into the in-memory history and is appended to the ``HistoryFile`` at once.
public final class LineEditor: LineReading {
  /// The libedit name of the Tab handler; an `~/.editrc` may bind other keys to it.
  public static let completeFunctionName = "jss-complete"

  /// Returns completion candidates (whole replacements for ``CompletionWord``) for the text
  /// left of the cursor. Nil disables completion (Tab then beeps).
  public var completer: ((_ lineBeforeCursor: String) -> [String])?
  /// Receives warnings (an unwritable history file), once each; stderr by default.
  public var warn: (String) -> Void = { message in
    fputs("warning: \(message)\n", jle_stderr())
  }
  /// The history file lines are persisted to, if any.
  public let historyFile: HistoryFile?

  private let editLine: OpaquePointer
  private let history: OpaquePointer
  private let historyLimit: Int
  private var promptBuffer: UnsafeMutablePointer<CChar>
  private var newestEntry: String?
  private var lastTab: (line: String, cursor: Int)?
  private var warnedAboutHistory = false

  /// Creates an editor on the process's standard streams.
  /// - Parameters:
  ///   - programName: the name `~/.editrc` sections select (`jumpstation:bind ...`).
  ///   - historyFile: where history is loaded from and appended to; nil keeps it in memory.
  ///   - historyLimit: how many entries libedit keeps (`H_SETSIZE`).
  public init(
    programName: String = "jumpstation", historyFile: HistoryFile?, historyLimit: Int = 1000
  ) throws(LineEditorError) {
    LineEditor.ensureUTF8Locale()
    guard let editLine = el_init(programName, jle_stdin(), jle_stdout(), jle_stderr()) else {
      throw .editLineUnavailable
    }
    guard let history = history_init() else {
      el_end(editLine)
      throw .historyUnavailable
    }
    self.editLine = editLine
    self.history = history
    self.historyFile = historyFile
    self.historyLimit = max(1, historyLimit)
    self.promptBuffer = strdup("")
    jle_history_set_size(history, Int32(self.historyLimit))
    jle_history_set_unique(history, 1)
    jle_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
    jle_set_editor(editLine, "emacs")
    jle_set_signal_handling(editLine, 1)
    jle_set_prompt(editLine, lineEditorPrompt, CChar(Prompt.invisibleDelimiter.asciiValue ?? 1))
    jle_set_history(editLine, history)
    jle_add_function(editLine, LineEditor.completeFunctionName, "Complete the word", lineEditorComplete)
    jle_bind(editLine, "^I", LineEditor.completeFunctionName)
    jle_bind(editLine, "^R", "em-inc-search-prev")
    el_source(editLine, nil)
    loadHistory()
  }

  deinit {
    el_end(editLine)
    history_end(history)
    free(promptBuffer)
  }

  /// Shows `prompt` (which may hold colour escapes bracketed by ``Prompt/invisibleDelimiter``)
  /// and reads one line.
  public func readLine(prompt: String) -> LineEditorResult {
    free(promptBuffer)
    promptBuffer = strdup(prompt)
    while true {
      Interrupt.clear()
      var count: Int32 = 0
      errno = 0
      if let raw = el_gets(editLine, &count), count > 0 {
        var line = String(cString: raw)
        while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
        record(line)
        lastTab = nil
        return .line(line)
      }
      let failure = errno
      // Ctrl-C first: the flag was cleared before el_gets, so it was pressed at this prompt.
      // libedit's own handler catches the SIGINT, restores the terminal and re-raises it with
      // `kill(0, SIGINT)` while this thread still blocks it, so our handler may run a moment
      // later on another thread (OpenBLAS starts some): wait for the flag when el_gets failed
      // with EINTR, which only the signals libedit passes on (not SIGWINCH) cause.
      let reRaised = count < 0 && failure == EINTR && Interrupt.awaitPending()
      if Interrupt.take() || reRaised {
        el_reset(editLine)
        lastTab = nil
        write("\n")
        return .interrupted
      }
      // Count 0 is end of input (Ctrl-D on an empty line). errno is not reset by libedit, so
      // an EINTR left over from a handled SIGWINCH must not be mistaken for an interruption.
      if count == 0 { return .endOfInput }
      if failure == EINTR { continue }
      return .endOfInput
    }
  }

  /// The in-memory history, oldest first.
  public var historyEntries: [String] {
    var entries: [String] = []
    var entry = jle_history_walk(history, 1)
    while let current = entry {
      entries.append(String(cString: current))
      entry = jle_history_walk(history, 0)
    }
    return entries
  }

  /// Writes `text` to stdout through the same `FILE` libedit draws with, so nothing reorders.
  func write(_ text: String) {
    fputs(text, jle_stdout())
    fflush(jle_stdout())
  }

  /// The prompt libedit should draw now.
  fileprivate var currentPrompt: UnsafeMutablePointer<CChar> { promptBuffer }

  /// Handles one Tab press: asks ``completer`` and edits the line; returns a `CC_*` code.
  fileprivate func complete() -> UInt8 {
    guard let completer, let info = el_line(editLine)?.pointee, let buffer = info.buffer,
      let cursor = info.cursor, let end = info.lastchar
    else { return UInt8(CC_ERROR) }
    let before = String(
      decoding: UnsafeRawBufferPointer(start: buffer, count: cursor - buffer), as: UTF8.self)
    let whole = String(decoding: UnsafeRawBufferPointer(start: buffer, count: end - buffer), as: UTF8.self)
    let repeated = lastTab.map { $0.line == whole && $0.cursor == cursor - buffer } ?? false
    let word = CompletionWord.current(in: before)
    let plan = CompletionPlan.make(word: word, candidates: completer(before), isRepeatedTab: repeated)
    let code: Int32
    switch plan {
    case .none:
      code = CC_REFRESH_BEEP
    case .insert(let text):
      code = el_insertstr(editLine, text) == 0 ? CC_REFRESH : CC_ERROR
    case .replace(let count, let text):
      el_deletestr(editLine, Int32(count))
      code = el_insertstr(editLine, text) == 0 ? CC_REFRESH : CC_ERROR
    case .list(let candidates):
      let width = Terminal.columns
      write("\n" + CompletionListing.format(candidates, word: word, width: width))
      code = CC_REDISPLAY
    }
    if let after = el_line(editLine)?.pointee, let start = after.buffer, let at = after.cursor,
      let last = after.lastchar
    {
      let text = String(decoding: UnsafeRawBufferPointer(start: start, count: last - start), as: UTF8.self)
      lastTab = (text, at - start)
    }
    return UInt8(code)
  }

  /// Adds an accepted line to the history and the history file.
  private func record(_ line: String) {
    guard !line.allSatisfy(\.isWhitespace), line != newestEntry else { return }
    jle_history_enter(history, line)
    newestEntry = line
    guard let historyFile else { return }
    do {
      try historyFile.append(line)
    } catch {
      warnOnce("cannot save history to \(historyFile.path): \(error)")
    }
  }

  /// Loads the history file, creating it, and compacts it when it has grown past twice the limit.
  private func loadHistory() {
    guard let historyFile else { return }
    do {
      try historyFile.prepare()
    } catch {
      warnOnce("cannot create history file \(historyFile.path): \(error)")
      return
    }
    if jle_history_load(history, historyFile.path) < 0 {
      warnOnce("cannot read history file \(historyFile.path) (not a libedit history file?)")
      return
    }
    newestEntry = historyEntries.last
    if historyFile.lineCount() > 2 * historyLimit + 1 {
      do {
        try historyFile.replace(with: historyEntries)
      } catch {
        warnOnce("cannot compact history file \(historyFile.path): \(error)")
      }
    }
  }

  private func warnOnce(_ message: String) {
    guard !warnedAboutHistory else { return }
    warnedAboutHistory = true
    warn(message)
  }

  /// libedit decodes input with the C library's multibyte functions; under the "C" locale it
  /// would mangle UTF-8, so take the user's locale, or C.UTF-8 when that is not UTF-8.
  private static func ensureUTF8Locale() {
    setlocale(LC_CTYPE, "")
    if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) == "UTF-8" { return }
    setlocale(LC_CTYPE, "C.UTF-8")
  }

  /// The editor owning `editLine`, through `EL_CLIENTDATA`.
  fileprivate static func owning(_ editLine: OpaquePointer?) -> LineEditor? {
    guard let editLine, let data = jle_get_client_data(editLine) else { return nil }
    return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
  }
}

/// libedit's prompt callback: the prompt of the editor that owns the EditLine.
private func lineEditorPrompt(_ editLine: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
  LineEditor.owning(editLine)?.currentPrompt
}

/// libedit's Tab handler (bound to `^I`).
private func lineEditorComplete(_ editLine: OpaquePointer?, _ key: Int32) -> UInt8 {
  LineEditor.owning(editLine)?.complete() ?? UInt8(CC_ERROR)
}
