import Foundation
import JumpScript

/// The REPL backend over a live interpreter: runs cells as `.jss` statements, answers
/// meta-commands, completes from the command registry and the session's names, and keeps the
/// journal that `.save` writes.
public final class SessionBackend: REPLBackend, REPLCellNumbering {
  /// The interpreter holding the session.
  public let interpreter: Interpreter
  /// The transcript of the session so far.
  public let journal: SessionJournal
  /// Where results stream as statements produce them.
  let output: REPLOutput
  /// Lines typed in this and earlier sessions, for `.history`.
  let history: () -> [String]
  /// Whether diagnostics are coloured.
  let color: Bool
  private var lastDuration: Double?

  /// Creates a backend.
  public init(
    interpreter: Interpreter, journal: SessionJournal, output: REPLOutput = .standard,
    history: @escaping () -> [String] = { [] }, color: Bool = false
  ) {
    self.interpreter = interpreter
    self.journal = journal
    self.output = output
    self.history = history
    self.color = color
  }

  /// The number the next statement gets, shown in the prompt so `_N` names what `[N]` showed.
  public var nextCellNumber: Int { interpreter.nextStatementNumber }

  public func needsMoreInput(_ text: String) -> Bool { Parser.needsMoreInput(text) }

  public func completions(forLineBeforeCursor line: String) -> [String] {
    SessionCompleter(interpreter: interpreter).candidates(forLineBeforeCursor: line)
  }

  public func execute(cell: String, number: Int) -> CellOutcome {
    let started = Date()
    defer { lastDuration = Date().timeIntervalSince(started) }
    if cell.trimmingCharacters(in: .whitespaces).hasPrefix(".") { return meta(cell) }
    let source = SourceFile(name: "<In[\(interpreter.nextStatementNumber)]>", text: cell)
    let (program, diagnostics) = interpreter.parse(source)
    if let first = diagnostics.first {
      journal.record(cell: cell, output: [], error: first.transcriptText)
      let message = diagnostics.map { $0.rendered(color: color) }.joined(separator: "\n")
      return .failed(message: message, exitStatus: ExitStatus.dataError.rawValue)
    }
    var printed: [String] = []
    let output = self.output
    interpreter.onResult = { value in
      let text = ValueFormatter.display(value)
      printed.append(
        contentsOf: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
      output.standardOutput(text.hasSuffix("\n") ? text : text + "\n")
    }
    defer { interpreter.onResult = { _ in } }
    for statement in program.statements {
      do {
        try interpreter.execute(statement, in: source)
      } catch {
        if error.exitCode == .interrupted { return .cancelled }
        journal.record(cell: cell, output: printed, error: error.transcriptText)
        return .failed(message: error.rendered(color: color), exitStatus: error.exitCode.rawValue)
      }
    }
    journal.record(cell: cell, output: printed, error: nil)
    return .ok(output: "")
  }

  // MARK: Meta-commands

  private func meta(_ line: String) -> CellOutcome {
    let (command, name, argument) = MetaCommand.parse(line)
    guard let command else {
      let names = MetaCommand.allCases.map(\.rawValue)
      let hint = Suggestion.closest(to: name, in: names).map { " (did you mean .\($0)?)" } ?? " (try .help)"
      return .failed(
        message: "error: unknown meta-command '.\(name)'\(hint)", exitStatus: ExitStatus.usage.rawValue)
    }
    switch command {
    case .help: return help(argument)
    case .save:
      guard !argument.isEmpty else {
        return .failed(
          message: "error: .save needs a file name: .save session.jss", exitStatus: ExitStatus.usage.rawValue)
      }
      let path = argument.hasPrefix("\"") ? String(argument.dropFirst().dropLast()) : argument
      do {
        try journal.save(to: path)
        return .ok(output: "saved \(path)")
      } catch {
        return .failed(message: "error: \(error.message)", exitStatus: ExitStatus.failure.rawValue)
      }
    case .history:
      let lines = history()
      let width = String(lines.count).count
      return .ok(
        output: lines.enumerated().map { "\(String($0.offset + 1).leftPadded(width))  \($0.element)" }.joined(
          separator: "\n"))
    case .vars: return .ok(output: SessionListing.variables(interpreter.state))
    case .models: return .ok(output: SessionListing.models(interpreter.state))
    case .undo:
      return interpreter.undo() ? .ok(output: "undone") : .failed(message: "nothing to undo", exitStatus: 1)
    case .time:
      return .ok(
        output: lastDuration.map { String(format: "last cell took %.3f s", $0) } ?? "no cell has run yet")
    case .quit: return .quit(exitStatus: 0)
    }
  }

  private func help(_ topic: String) -> CellOutcome {
    let registry = interpreter.registry
    if topic.isEmpty {
      var lines = ["commands:"]
      for signature in registry.signatures {
        lines.append(
          "  \(signature.name.padding(toLength: 10, withPad: " ", startingAt: 0))  \(signature.summary)")
      }
      let functions = interpreter.state.functions.values.sorted { $0.name < $1.name }
      if !functions.isEmpty {
        lines.append("functions (def):")
        for function in functions { lines.append("  \(function.usage)") }
      }
      lines.append("statements: let, if/else, for ... in, def, use")
      lines.append("meta-commands:")
      for meta in MetaCommand.allCases {
        lines.append("  .\(meta.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(meta.summary)")
      }
      lines.append("type .help COMMAND for its options")
      return .ok(output: lines.joined(separator: "\n"))
    }
    let name = topic.hasPrefix(".") ? String(topic.dropFirst()) : topic
    if let signature = registry.signature(name) { return .ok(output: signature.helpText) }
    if let function = interpreter.state.functions[name] { return .ok(output: function.helpText) }
    if let meta = MetaCommand(rawValue: name) { return .ok(output: ".\(meta.rawValue) — \(meta.summary)") }
    if let statement = StatementHelp.text(for: name) { return .ok(output: statement) }
    let hint =
      Suggestion.closest(
        to: name, in: registry.signatures.map(\.name) + Array(interpreter.state.functions.keys)
      ).map { " (did you mean '\($0)'?)" }
      ?? ""
    return .failed(message: "error: no help for '\(name)'\(hint)", exitStatus: ExitStatus.usage.rawValue)
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
