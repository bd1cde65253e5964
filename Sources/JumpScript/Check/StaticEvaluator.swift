/// Evaluates what can be known before running: literals and arithmetic on them. Names are
/// checked for existence; their values are unknown (nil), so only literal arguments are
/// range-checked statically.
struct StaticEvaluator {
  let scope: StaticScope

  /// The statically known value of a command argument, nil if it depends on run time.
  func argument(_ expr: Expr, for parameter: Parameter, _ file: SourceFile) throws(Diagnostic) -> Value? {
    if case .name(let name) = expr.kind {
      if scope.variables.contains(name) || StaticScope.isPreviousResult(name) { return nil }
      switch parameter.type {
      case .choice, .numberOrWord, .list(.choice): return .word(name)
      case .newName, .module: return .string(name)
      case .model:
        if scope.models.contains(name) || name == "model" || scope.anyModel || scope.insideFunction > 0 {
          return nil
        }
        throw unknown("model", name, scope.models, expr.span, file)
      case .dataset:
        if scope.datasets.contains(name) || scope.insideFunction > 0 { return nil }
        throw unknown("dataset", name, scope.datasets, expr.span, file)
      case .target:
        if scope.devices.contains(name) || scope.insideFunction > 0 { return nil }
        throw unknown("target", name, scope.devices, expr.span, file)
      default:
        if scope.knows(name) { return nil }
        throw unknownName(name, expr.span, file)
      }
    }
    if case .list(.choice) = parameter.type, case .list(let elements) = expr.kind {
      // Enum words in a list (`augment=[crop, flip]`); a variable among them makes the list run-time.
      var words: [Value] = []
      for element in elements {
        guard case .name(let word) = element.kind else { return try constant(expr, file) }
        if scope.variables.contains(word) || StaticScope.isPreviousResult(word) { return nil }
        words.append(.word(word))
      }
      return .list(words)
    }
    return try constant(expr, file)
  }

  /// The value of a constant expression, nil when it involves names or commands.
  func constant(_ expr: Expr, _ file: SourceFile) throws(Diagnostic) -> Value? {
    switch expr.kind {
    case .number(let value, let unit): return .number(Quantity(literal: value, unit: unit))
    case .string(let text): return .string(text)
    case .bool(let flag): return .bool(flag)
    case .list(let elements):
      var values: [Value] = []
      for element in elements {
        guard let value = try constant(element, file) else { return nil }
        values.append(value)
      }
      return .list(values)
    case .unary(let op, let operand):
      guard let value = try constant(operand, file) else { return nil }
      return try Operators.unary(op, value).get(file: file, span: expr.span)
    case .binary(let op, let left, let right):
      guard let lhs = try constant(left, file), let rhs = try constant(right, file) else { return nil }
      return try Operators.binary(op, lhs, rhs).get(file: file, span: expr.span)
    case .name(let name):
      if scope.knows(name) { return nil }
      throw unknownName(name, expr.span, file)
    case .field, .call, .command:
      return nil
    }
  }

  func unknownName(_ name: String, _ span: SourceSpan, _ file: SourceFile) -> Diagnostic {
    var diagnostic = Diagnostic(.error, "unknown name '\(name)'", file: file, span: span)
    if let guess = Suggestion.closest(to: name, in: scope.allNames) {
      diagnostic.hint = "did you mean '\(guess)'?"
    } else if name.contains("-") {
      diagnostic.hint = "to subtract, put spaces around '-'"
    }
    return diagnostic
  }

  private func unknown(
    _ kind: String, _ name: String, _ known: Set<String>, _ span: SourceSpan, _ file: SourceFile
  )
    -> Diagnostic
  {
    var diagnostic = Diagnostic(.error, "unknown \(kind) '\(name)'", file: file, span: span)
    diagnostic.hint =
      Suggestion.closest(to: name, in: Array(known)).map { "did you mean '\($0)'?" }
      ?? Suggestion.listing(kind, Array(known))
    return diagnostic
  }
}
