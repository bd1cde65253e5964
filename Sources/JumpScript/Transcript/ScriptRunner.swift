import Foundation
import JumpEngine

/// Runs a script file the three ways the command line offers: `run` (print results), `replay`
/// (compare results with the recorded `#=`/`#!` lines) and `replay --update` (rewrite them).
public struct ScriptRunner {
  /// How to run.
  public enum Mode: Sendable {
    case run, replay, update
  }

  /// Options shared by the modes.
  public struct Options: Sendable {
    /// Run, replay or update.
    public var mode: Mode
    /// One JSON object per statement on stdout instead of text.
    public var json: Bool
    /// Print each statement before its output.
    public var echo: Bool
    /// Colour diagnostics.
    public var color: Bool

    /// Creates options.
    public init(mode: Mode = .run, json: Bool = false, echo: Bool = false, color: Bool = false) {
      self.mode = mode
      self.json = json
      self.echo = echo
      self.color = color
    }
  }

  /// How the run ended.
  public struct Summary: Sendable {
    /// The process exit code.
    public var exitCode: ExitStatus
    /// Statements whose output matched (replay) or that ran (run).
    public var passed: Int
    /// Statements that mismatched (replay) or failed (run).
    public var failed: Int
  }

  private let interpreter: Interpreter
  private let writeOut: (String) -> Void
  private let writeErr: (String) -> Void

  /// Creates a runner writing results to `out` and diagnostics to `err` (one call per line).
  public init(interpreter: Interpreter, out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
    self.interpreter = interpreter
    self.writeOut = out
    self.writeErr = err
  }

  /// Checks, then runs, a source.
  public func run(_ source: SourceFile, options: Options) -> Summary {
    let (program, syntaxErrors) = interpreter.parse(source)
    let transcript = Transcript(program: program)
    let expectedFailureLines = Set(
      transcript.entries.filter { $0.expectedError != nil }.flatMap { entry in
        (source.location(of: entry.statement.span.start).line...entry.lastLine)
      })
    let problems =
      (syntaxErrors.isEmpty
      ? Checker.check(source, registry: interpreter.registry, stdlib: interpreter.environment.stdlibDirectory)
      : syntaxErrors)
      .filter { $0.severity == .error && !expectedFailureLines.contains($0.location?.line ?? 0) }
    if !problems.isEmpty && (options.mode != .update || !syntaxErrors.isEmpty) {
      for problem in problems { report(problem, options) }
      return Summary(
        exitCode: problems.first?.exitCode == .noInput ? .noInput : .dataError, passed: 0,
        failed: problems.count)
    }

    var passed = 0
    var failed = 0
    var outcomes: [(output: [String], error: String?)] = []
    var exitCode = ExitStatus.success
    for entry in transcript.entries {
      let statementText = source.text(of: entry.statement.span)
      if options.echo && !options.json {
        writeOut("> " + statementText.replacingOccurrences(of: "\n", with: "\n> "))
      }
      var output: [String] = []
      let streaming = options.mode == .run && !options.json
      interpreter.onResult = { value in
        let text = ValueFormatter.display(value)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        output.append(contentsOf: lines)
        if streaming { lines.forEach(writeOut) }
      }
      var failure: Diagnostic?
      var result = Value.none
      do { result = try interpreter.execute(entry.statement, in: source) } catch { failure = error }
      interpreter.onResult = { _ in }
      let recorded = entry.expectedOutput + (entry.expectedError.map { ["! " + $0] } ?? [])
      let produced = output + (failure.map { ["! " + $0.transcriptText] } ?? [])
      // `--update` keeps recordings that still match, so `[..]` and `~tol` survive it.
      let stillMatches = !entry.recordedLines.isEmpty && linesMatch(expected: recorded, actual: produced)
      outcomes.append(
        stillMatches ? (entry.expectedOutput, entry.expectedError) : (output, failure?.transcriptText))
      if options.json {
        writeOut(jsonLine(entry, statementText, output, result, failure, source))
      }

      switch options.mode {
      case .run:
        if let failure {
          if !options.json { report(failure, options) }
          if failure.exitCode == .interrupted {
            return Summary(exitCode: .interrupted, passed: passed, failed: failed + 1)
          }
          if entry.expectedError == nil {
            return Summary(exitCode: failure.exitCode, passed: passed, failed: failed + 1)
          }
        }
        passed += 1
      case .replay, .update:
        if failure?.exitCode == .interrupted {
          report(failure!, options)
          return Summary(exitCode: .interrupted, passed: passed, failed: failed + 1)
        }
        let expected = entry.expectedOutput + (entry.expectedError.map { ["! " + $0] } ?? [])
        let actual = output + (failure.map { ["! " + $0.transcriptText] } ?? [])
        if options.mode == .replay {
          if linesMatch(expected: expected, actual: actual) {
            passed += 1
          } else {
            failed += 1
            exitCode = .failure
            writeOut(
              "mismatch at \(source.name):\(source.location(of: entry.statement.span.start).line): \(statementText)"
            )
            for line in UnifiedDiff.lines(expected: expected, actual: actual) { writeOut(line) }
          }
        } else {
          passed += 1
        }
      }
    }
    if options.mode == .update {
      let text = transcript.updated(with: outcomes)
      do {
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: source.name))
        writeErr("updated \(source.name) (\(transcript.entries.count) statements)")
      } catch {
        writeErr("error: cannot write \(source.name): \(error)")
        return Summary(exitCode: .failure, passed: passed, failed: failed)
      }
    }
    if options.mode == .replay && !options.json { writeOut("\(passed) passed, \(failed) failed") }
    return Summary(exitCode: exitCode, passed: passed, failed: failed)
  }

  private func linesMatch(expected: [String], actual: [String]) -> Bool {
    guard expected.count == actual.count else { return false }
    return zip(expected, actual).allSatisfy { OutputMatcher.matches(expected: $0, actual: $1) }
  }

  private func report(_ diagnostic: Diagnostic, _ options: Options) {
    if options.json {
      writeOut(
        JSONRendering.object([
          ("ok", "false"), ("error", JSONRendering.string(diagnostic.message)),
          ("location", JSONRendering.string(diagnostic.headline)),
        ]))
    } else {
      writeErr(diagnostic.rendered(color: options.color))
    }
  }

  private func jsonLine(
    _ entry: Transcript.Entry, _ text: String, _ output: [String], _ result: Value, _ failure: Diagnostic?,
    _ source: SourceFile
  ) -> String {
    var pairs: [(String, String)] = [
      ("line", String(source.location(of: entry.statement.span.start).line)),
      ("statement", JSONRendering.string(text)),
      ("ok", failure == nil ? "true" : "false"),
      ("output", "[" + output.map(JSONRendering.string).joined(separator: ",") + "]"),
      ("result", JSONRendering.json(result)),
    ]
    if let failure {
      pairs.append(("error", JSONRendering.string(failure.message)))
      pairs.append(("exit_code", String(failure.exitCode.rawValue)))
      if let hint = failure.hint { pairs.append(("hint", JSONRendering.string(hint))) }
    }
    return JSONRendering.object(pairs)
  }
}
