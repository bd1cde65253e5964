/// Matches a command call's arguments to its signature and validates each value.
///
/// Both the checker (with only literal values known) and the interpreter (with everything
/// evaluated) use it, so `check` and `run` report the same errors in the same words.
struct ArgumentBinder {
  /// Turns an argument expression into a value for a parameter; nil when not known statically.
  typealias Resolver = (Expr, Parameter) throws(Diagnostic) -> Value?

  let signature: CommandSignature
  let file: SourceFile
  let resolve: Resolver

  /// Binds every argument; returns the binding and every problem found (empty when all is well).
  func bind(_ call: CommandCall) -> (BoundArguments, [Diagnostic]) {
    var bound = BoundArguments()
    var problems: [Diagnostic] = []
    var positionalIndex = 0

    func record(_ parameter: Parameter, _ expr: Expr, span: SourceSpan) {
      if bound.spans[parameter.name] != nil {
        problems.append(error("'\(parameter.name)' is given twice", span))
        return
      }
      bound.spans[parameter.name] = span
      do {
        guard var value = try resolve(expr, parameter) else { return }
        if case .list = parameter.type {
          // A single value where a list is expected means a list of one: `mean=0.5`.
          if case .list = value {} else { value = .list([value]) }
        }
        if let problem = validate(value, parameter, span: expr.span) {
          problems.append(problem)
        } else {
          bound.values[parameter.name] = value
        }
      } catch {
        problems.append(error)
      }
    }

    if let binding = call.binding {
      bound.binding = binding.name
      bound.spans[signature.binding?.name ?? "name"] = binding.span
    }
    for argument in call.arguments {
      switch argument {
      case .positional(let expr):
        // An optional keyword positional (`report memory`) is skipped when the word is not one of its
        // keywords, so `report teacher` still reaches the model after it.
        while positionalIndex + 1 < signature.positionals.count,
          case .choice(let words) = signature.positionals[positionalIndex].type,
          !signature.positionals[positionalIndex].isRequired,
          signature.positionals[positionalIndex].defaultValue == nil,
          case .name(let word) = expr.kind, !words.contains(word)
        {
          positionalIndex += 1
        }
        guard positionalIndex < signature.positionals.count else {
          let count = signature.positionals.count
          let takes =
            count == 0
            ? "takes no positional arguments" : "takes \(count) positional argument\(count == 1 ? "" : "s")"
          var diagnostic = error("'\(signature.name)' \(takes)", expr.span)
          diagnostic.hint = hintForStrayWord(expr)
          problems.append(diagnostic)
          continue
        }
        record(signature.positionals[positionalIndex], expr, span: expr.span)
        positionalIndex += 1
      case .option(let key, let keySpan, let value):
        guard let parameter = signature.option(key) else {
          var diagnostic = error("unknown option '\(key)' for '\(signature.name)'", keySpan)
          let names = signature.options.map(\.name)
          if let guess = Suggestion.closest(to: key, in: names) {
            diagnostic.hint = "did you mean '\(guess)'?"
          } else {
            diagnostic.hint =
              names.isEmpty
              ? "'\(signature.name)' has no options" : "options are \(names.joined(separator: ", "))"
          }
          problems.append(diagnostic)
          continue
        }
        record(parameter, value, span: keySpan.merged(with: value.span))
      case .preposition(let keyword, let keywordSpan, let value):
        guard let parameter = signature.preposition(keyword) else {
          let accepted = signature.prepositions.map { "'\($0.keyword.rawValue)'" }
          var diagnostic = error("'\(signature.name)' does not take '\(keyword.rawValue)'", keywordSpan)
          if !accepted.isEmpty { diagnostic.hint = "it takes \(accepted.joined(separator: ", "))" }
          problems.append(diagnostic)
          continue
        }
        record(parameter, value, span: keywordSpan.merged(with: value.span))
      case .pin(let hex, let span):
        if signature.acceptsPin {
          bound.pin = hex
        } else {
          problems.append(error("'\(signature.name)' does not take a sha256 pin", span))
        }
      }
    }
    for parameter in signature.positionals + signature.prepositions.map(\.parameter) + signature.options
    where bound.spans[parameter.name] == nil {
      if let defaultValue = parameter.defaultValue {
        bound.values[parameter.name] = defaultValue
      } else if parameter.isRequired {
        var diagnostic = error("'\(signature.name)' needs \(describe(parameter))", call.span)
        diagnostic.hint = "usage: \(signature.usage)"
        problems.append(diagnostic)
      }
    }
    return (bound, problems)
  }

  private func describe(_ parameter: Parameter) -> String {
    if let keyword = signature.prepositions.first(where: { $0.parameter.name == parameter.name })?.keyword {
      return "'\(keyword.rawValue) \(parameter.name.uppercased())'"
    }
    if case .choice(let words) = parameter.type {
      return "a \(parameter.name) (\(words.joined(separator: ", ")))"
    }
    return "a \(parameter.name)"
  }

  private func hintForStrayWord(_ expr: Expr) -> String? {
    guard case .name(let word) = expr.kind else { return "usage: \(signature.usage)" }
    if let guess = Suggestion.closest(to: word, in: signature.options.map(\.name)) {
      return "did you mean the option '\(guess)=...'?"
    }
    return "usage: \(signature.usage)"
  }

  private func error(_ message: String, _ span: SourceSpan) -> Diagnostic {
    Diagnostic(.error, message, file: file, span: span)
  }

  /// Checks a value against a parameter's type: dimension, range, choices, element types.
  func validate(_ value: Value, _ parameter: Parameter, span: SourceSpan) -> Diagnostic? {
    guard let (message, hint) = TypeValidator.problem(with: value, for: parameter.type, name: parameter.name)
    else {
      return nil
    }
    var diagnostic = error(message, span)
    diagnostic.hint = hint
    return diagnostic
  }
}
