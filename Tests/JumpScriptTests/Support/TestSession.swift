import Foundation
import JumpScript

/// Paths inside the repository, found from this file's location.
enum Repo {
  /// The repository root (three levels above `Tests/JumpScriptTests/Support`).
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The absolute path of a file given relative to the repository root.
  static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

  /// The stdlib directory.
  static var stdlib: URL { root.appendingPathComponent("stdlib") }

  /// The sample teacher model.
  static var teacher: String { path("tutorials/data/teacher.onnx") }

  /// A fixture under `Tests/Fixtures`.
  static func fixture(_ relative: String) -> String { path("Tests/Fixtures/" + relative) }
}

/// Parses with the standard command set.
func parse(_ text: String, name: String = "test.jss") -> (program: Program, diagnostics: [Diagnostic]) {
  Parser.parse(SourceFile(name: name, text: text), syntax: CommandRegistry.standard.syntax)
}

/// Checks with the standard command set and the repository's stdlib.
func check(_ text: String, name: String = "test.jss") -> [Diagnostic] {
  Checker.check(SourceFile(name: name, text: text), stdlib: Repo.stdlib)
}

/// A fresh directory under the system temporary directory, unique per call.
func makeTemporaryDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("jumpscript-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// An interpreter with the repository's stdlib that records every printed result.
final class TestSession {
  let interpreter: Interpreter
  /// Display text of every result printed so far, in order.
  private(set) var printed: [String] = []

  init(isCancelled: @escaping @Sendable () -> Bool = { false }) {
    interpreter = Interpreter(
      environment: RunEnvironment(stdlibDirectory: Repo.stdlib, isCancelled: isCancelled))
    interpreter.onResult = { [unowned self] value in self.printed.append(ValueFormatter.display(value)) }
  }

  var state: SessionState { interpreter.state }

  /// Runs every statement of `text` as a top-level statement; returns the last one's value.
  /// Syntax errors and the first failing statement are thrown.
  @discardableResult
  func run(_ text: String, name: String = "test.jss") throws(Diagnostic) -> Value {
    let source = SourceFile(name: name, text: text)
    let (program, diagnostics) = interpreter.parse(source)
    if let first = diagnostics.first { throw first }
    var last = Value.none
    for statement in program.statements { last = try interpreter.execute(statement, in: source) }
    return last
  }

  /// Runs `text` expecting it to fail; returns the failure (nil if it succeeded).
  func failure(_ text: String, name: String = "test.jss") -> Diagnostic? {
    do {
      try run(text, name: name)
      return nil
    } catch {
      return error
    }
  }

  /// The display text of the value `text` evaluates to.
  func display(_ text: String) throws(Diagnostic) -> String {
    ValueFormatter.display(try run(text))
  }
}

/// The language's line and column (Swift Testing has a type of the same name).
typealias Location = JumpScript.SourceLocation
