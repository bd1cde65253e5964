import Foundation

/// A function defined with `def`: positional parameters, then named options with defaults, which
/// callers write like a built-in command's options (`fit pico min_agreement=0.98`).
public struct FunctionValue: Sendable {
  /// Its name.
  public var name: String
  /// Parameter names in order.
  public var parameters: [String]
  /// Options in order, each with its default expression (evaluated at each call that omits it).
  public var options: [NamedExpr]
  /// The statements of its body.
  public var body: [Stmt]
  /// Where it was defined, for diagnostics and `.help`.
  public var source: SourceFile
  /// The whole `def` statement.
  public var span: SourceSpan

  /// Creates a function value.
  public init(
    name: String, parameters: [String], options: [NamedExpr] = [], body: [Stmt], source: SourceFile,
    span: SourceSpan
  ) {
    self.name = name
    self.parameters = parameters
    self.options = options
    self.body = body
    self.source = source
    self.span = span
  }

  /// The option names, for the checker and suggestions.
  public var optionNames: [String] { options.map(\.name) }

  /// `def fit(device, min_agreement=97%)`: the definition's first line, as the value displays.
  public var declaration: String {
    let names = parameters + options.map { "\($0.name)=\(source.text(of: $0.value.span))" }
    return "def \(name)(\(names.joined(separator: ", ")))"
  }

  /// `fit DEVICE [min_agreement=0.97] [max_drop=false]`: how a call is written.
  public var usage: String {
    let words = [name] + parameters.map { $0.uppercased() }
    let named = options.map { "[\($0.name)=\(source.text(of: $0.value.span))]" }
    return (words + named).joined(separator: " ")
  }

  /// The `.help NAME` text: usage, where it is defined, the comment block written just above the
  /// `def` (its documentation), and each option's default.
  public var helpText: String {
    let line = source.location(of: span.start).line
    var lines = [usage, "  a function defined with `def` in \(source.name):\(line)"]
    let documentation = commentAbove(line: line)
    if !documentation.isEmpty {
      lines.append("")
      lines.append(contentsOf: documentation.map { $0.isEmpty ? "" : "  " + $0 })
    }
    if !options.isEmpty {
      lines.append("")
      lines.append("options:")
      let width = max(18, options.map(\.name.count).max() ?? 0)
      for option in options {
        let label = option.name.padding(toLength: width, withPad: " ", startingAt: 0)
        lines.append("  \(label)  default \(source.text(of: option.value.span))")
      }
    }
    return lines.joined(separator: "\n")
  }

  /// The consecutive `#` lines directly above a 1-based line, without their `#` and one space.
  private func commentAbove(line: Int) -> [String] {
    var result: [String] = []
    var current = line - 1
    while current >= 1 {
      let text = source.lineText(current).trimmingCharacters(in: .whitespaces)
      guard text.hasPrefix("#") else { break }
      var body = text.dropFirst()
      if body.hasPrefix(" ") { body = body.dropFirst() }
      result.insert(String(body), at: 0)
      current -= 1
    }
    return result
  }
}
