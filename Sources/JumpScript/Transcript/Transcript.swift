/// A script read as a transcript: each top-level statement with the output recorded after it
/// in `#=` lines (results) and `#!` lines (an expected error).
public struct Transcript: Sendable {
  /// One statement and what was recorded for it.
  public struct Entry: Sendable {
    /// The statement.
    public var statement: Stmt
    /// The 1-based line where the statement ends; recordings follow it.
    public var lastLine: Int
    /// Recorded result lines, without the `#= ` prefix.
    public var expectedOutput: [String]
    /// The recorded error, without the `#! ` prefix, if the statement is expected to fail.
    public var expectedError: String?
    /// 1-based lines that hold recordings for this statement (rewritten by `--update`).
    public var recordedLines: [Int]
  }

  /// The source.
  public var source: SourceFile
  /// Statements with their recordings, in order.
  public var entries: [Entry]

  /// Splits a parsed program into entries and attaches the recordings that follow each statement.
  public init(program: Program) {
    self.source = program.source
    let file = program.source
    var entries: [Entry] = []
    for statement in program.statements {
      let end = max(statement.span.start, statement.span.end - 1)
      let lastLine = file.location(of: end).line
      var output: [String] = []
      var error: String?
      var recorded: [Int] = []
      var line = lastLine + 1
      while line <= file.lineCount {
        let text = file.lineText(line).trimmingCharacters(in: .whitespaces)
        if let body = Transcript.recording(text, marker: "#=") {
          output.append(body)
        } else if let body = Transcript.recording(text, marker: "#!") {
          error = error.map { $0 + "\n" + body } ?? body
        } else {
          break
        }
        recorded.append(line)
        line += 1
      }
      entries.append(
        Entry(
          statement: statement, lastLine: lastLine, expectedOutput: output, expectedError: error,
          recordedLines: recorded))
    }
    self.entries = entries
  }

  /// The text after a recording marker (`#=` or `#!`), one optional space removed.
  static func recording(_ line: String, marker: String) -> String? {
    guard line.hasPrefix(marker) else { return nil }
    var body = line.dropFirst(marker.count)
    if body.hasPrefix(" ") { body = body.dropFirst() }
    return String(body)
  }

  /// Recording lines for an outcome: `#= ` before each result line, `#! ` before an error.
  public static func recordingLines(output: [String], error: String?) -> [String] {
    var lines = output.map { $0.isEmpty ? "#=" : "#= " + $0 }
    if let error {
      lines.append(
        contentsOf: error.split(separator: "\n", omittingEmptySubsequences: false).map { "#! " + $0 })
    }
    return lines
  }

  /// The source with every recording replaced by the given outcomes (for `replay --update`).
  public func updated(with outcomes: [(output: [String], error: String?)]) -> String {
    var recordedLines = Set<Int>()
    var insertions: [Int: [String]] = [:]
    for (entry, outcome) in zip(entries, outcomes) {
      recordedLines.formUnion(entry.recordedLines)
      insertions[entry.lastLine] = Transcript.recordingLines(output: outcome.output, error: outcome.error)
    }
    var lines: [String] = []
    for line in 1...max(1, source.lineCount) {
      if recordedLines.contains(line) { continue }
      let text = source.lineText(line)
      if line == source.lineCount && text.isEmpty { break }
      lines.append(text)
      if let inserted = insertions[line] { lines.append(contentsOf: inserted) }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
