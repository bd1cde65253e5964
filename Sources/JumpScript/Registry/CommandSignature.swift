/// Everything the language knows about a command, declared once: the checker, the interpreter's
/// argument binding, tab completion, `.help` and error messages all read it.
public struct CommandSignature: Sendable {
  /// The command word.
  public var name: String
  /// One line saying what it does.
  public var summary: String
  /// Positional parameters in order.
  public var positionals: [Parameter]
  /// `key=value` options.
  public var options: [Parameter]
  /// Prepositional arguments: `on`, `as`, `from`, `to`, `for`, `vs`.
  public var prepositions: [(keyword: Keyword, parameter: Parameter)]
  /// For `NAME IDENT = ...` commands, the bound name's parameter.
  public var binding: Parameter?
  /// Whether a `sha256:` pin may follow.
  public var acceptsPin: Bool
  /// Example lines shown by `.help`.
  public var examples: [String]
  /// For commands that make a new model: its default name from the arguments and the name of the
  /// model it was made from, so `check` knows names such as `teacher_int8` before anything runs.
  public var defaultModelName: (@Sendable (_ arguments: BoundArguments, _ base: String) -> String)?

  /// Creates a signature.
  public init(
    name: String, summary: String, positionals: [Parameter] = [], options: [Parameter] = [],
    prepositions: [(keyword: Keyword, parameter: Parameter)] = [], binding: Parameter? = nil,
    acceptsPin: Bool = false, examples: [String] = [],
    defaultModelName: (@Sendable (_ arguments: BoundArguments, _ base: String) -> String)? = nil
  ) {
    self.name = name
    self.summary = summary
    self.positionals = positionals
    self.options = options
    self.prepositions = prepositions
    self.binding = binding
    self.acceptsPin = acceptsPin
    self.examples = examples
    self.defaultModelName = defaultModelName
  }

  /// The parameter introduced by a preposition, if the command takes it.
  public func preposition(_ keyword: Keyword) -> Parameter? {
    prepositions.first { $0.keyword == keyword }?.parameter
  }

  /// The option with a key, if any.
  public func option(_ key: String) -> Parameter? {
    options.first { $0.name == key }
  }

  /// A one-line synopsis: `load PATH [as NAME] [sha256:HEX]`.
  public var usage: String {
    var parts = [name]
    if let binding { parts.append("\(binding.name.uppercased()) =") }
    for parameter in positionals {
      let word = placeholder(parameter)
      parts.append(parameter.isRequired ? word : "[\(word)]")
    }
    for (keyword, parameter) in prepositions {
      let phrase = "\(keyword.rawValue) \(placeholder(parameter))"
      parts.append(parameter.isRequired ? phrase : "[\(phrase)]")
    }
    for option in options {
      let phrase = "\(option.name)=\(option.defaultValue.map(ValueFormatter.scriptLiteral) ?? "…")"
      parts.append(option.isRequired ? phrase : "[\(phrase)]")
    }
    if acceptsPin { parts.append("[sha256:HEX]") }
    return parts.joined(separator: " ")
  }

  private func placeholder(_ parameter: Parameter) -> String {
    if case .choice(let words) = parameter.type { return words.joined(separator: "|") }
    return parameter.name.uppercased()
  }

  /// The full help text of `.help NAME`.
  public var helpText: String {
    var lines = ["\(name) — \(summary)", "", "usage: \(usage)"]
    let arguments = positionals + prepositions.map(\.parameter)
    if !arguments.isEmpty || binding != nil {
      lines.append("")
      lines.append("arguments:")
      if let binding { lines.append(helpLine(binding.name.uppercased(), binding)) }
      for parameter in positionals { lines.append(helpLine(parameter.name.uppercased(), parameter)) }
      for (keyword, parameter) in prepositions {
        lines.append(helpLine("\(keyword.rawValue) \(parameter.name.uppercased())", parameter))
      }
    }
    if !options.isEmpty {
      lines.append("")
      lines.append("options:")
      for option in options { lines.append(helpLine("\(option.name)=", option)) }
    }
    if !examples.isEmpty {
      lines.append("")
      lines.append("examples:")
      lines.append(contentsOf: examples.map { "  \($0)" })
    }
    return lines.joined(separator: "\n")
  }

  private func helpLine(_ label: String, _ parameter: Parameter) -> String {
    var text =
      "  \(label.padding(toLength: max(label.count, 18), withPad: " ", startingAt: 0))  \(parameter.help)"
    text += " (\(parameter.type.description)"
    if let value = parameter.defaultValue { text += ", default \(ValueFormatter.scriptLiteral(value))" }
    text += parameter.isRequired ? ", required)" : ")"
    return text
  }
}
