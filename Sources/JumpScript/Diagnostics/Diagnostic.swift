/// A problem found in a script, with where it is and, when possible, how to fix it.
public struct Diagnostic: Error, Sendable {
  /// How serious it is.
  public enum Severity: String, Sendable {
    case error, warning, note
  }

  /// How serious it is.
  public var severity: Severity
  /// One line saying what is wrong.
  public var message: String
  /// The file, cell or module it is in; nil for problems without a place (a missing script).
  public var file: SourceFile?
  /// The offending text.
  public var span: SourceSpan?
  /// A suggestion such as `did you mean 'int8'?`.
  public var hint: String?
  /// The exit code a command-line run ends with when this is the first error.
  public var exitCode: ExitStatus

  /// Creates a diagnostic.
  public init(
    _ severity: Severity, _ message: String, file: SourceFile? = nil, span: SourceSpan? = nil,
    hint: String? = nil, exitCode: ExitStatus = .failure
  ) {
    self.severity = severity
    self.message = message
    self.file = file
    self.span = span
    self.hint = hint
    self.exitCode = exitCode
  }

  /// The 1-based location of the start of the span, if any.
  public var location: SourceLocation? {
    guard let file, let span else { return nil }
    return file.location(of: span.start)
  }

  /// `file:line:column: error: message` — the single-line form used by `--json` and logs.
  public var headline: String {
    var prefix = ""
    if let file {
      prefix = file.name
      if let location { prefix += ":\(location)" }
      prefix += ": "
    }
    return "\(prefix)\(severity.rawValue): \(message)"
  }

  /// The full form: headline, the source line, a caret under the span, and the hint.
  public func rendered(color: Bool = false) -> String {
    var lines = [color ? Diagnostic.paint(headline, severity: severity) : headline]
    if let file, let span, let location {
      let text = file.lineText(location.line)
      let gutter = String(location.line)
      lines.append("\(String(repeating: " ", count: gutter.count)) |")
      lines.append("\(gutter) | \(text)")
      let lineLength = text.count
      let spanLength = max(1, min(file.text(of: span).count, max(1, lineLength - location.column + 1)))
      let caret =
        String(repeating: " ", count: location.column - 1) + "^"
        + String(repeating: "~", count: max(0, spanLength - 1))
      lines.append("\(String(repeating: " ", count: gutter.count)) | \(caret)")
    }
    if let hint { lines.append("  hint: \(hint)") }
    return lines.joined(separator: "\n")
  }

  /// The form recorded in transcripts after `#!`: the message and hint, no location.
  public var transcriptText: String {
    var text = "\(severity.rawValue): \(message)"
    if let hint { text += " (\(hint))" }
    return text
  }

  private static func paint(_ text: String, severity: Severity) -> String {
    let code: String
    switch severity {
    case .error: code = "31"
    case .warning: code = "33"
    case .note: code = "36"
    }
    return "\u{1B}[1;\(code)m\(text)\u{1B}[0m"
  }
}

/// Process exit codes (DESIGN §6, after sysexits).
public enum ExitStatus: Int32, Sendable {
  case success = 0
  case failure = 1
  case usage = 64
  case dataError = 65
  case noInput = 66
  case software = 70
  case interrupted = 130
}
