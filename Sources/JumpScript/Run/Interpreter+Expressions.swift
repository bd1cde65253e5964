/// Expression evaluation and name resolution.
extension Interpreter {
  /// Evaluates an expression.
  func evaluate(_ expr: Expr, _ file: SourceFile) throws(Diagnostic) -> Value {
    switch expr.kind {
    case .number(let value, let unit): return .number(Quantity(literal: value, unit: unit))
    case .string(let text): return .string(text)
    case .bool(let flag): return .bool(flag)
    case .list(let elements):
      var values: [Value] = []
      for element in elements { values.append(try evaluate(element, file)) }
      return .list(values)
    case .name(let name):
      if let value = resolve(name) { return value }
      throw unknownName(name, expr.span, file)
    case .field(let base, let name, let nameSpan):
      let value = try evaluate(base, file)
      if let field = value.field(name) { return field }
      var diagnostic = Diagnostic(
        .error, "a \(value.typeName) has no field '\(name)'", file: file, span: nameSpan)
      let names = value.fieldNames
      diagnostic.hint =
        Suggestion.closest(to: name, in: names).map { "did you mean '\($0)'?" }
        ?? (names.isEmpty ? nil : "fields are \(names.joined(separator: ", "))")
      throw diagnostic
    case .unary(let op, let operand):
      let value = try evaluate(operand, file)
      return try Operators.unary(op, value).get(file: file, span: expr.span)
    case .binary(let op, let left, let right):
      let lhs = try evaluate(left, file)
      if op == .and || op == .or {
        guard case .bool(let flag) = lhs else {
          throw Diagnostic(
            .error, "'\(op.rawValue)' needs booleans, not a \(lhs.typeName)", file: file, span: left.span)
        }
        if op == .and && !flag { return .bool(false) }
        if op == .or && flag { return .bool(true) }
      }
      let rhs = try evaluate(right, file)
      return try Operators.binary(op, lhs, rhs).get(file: file, span: expr.span)
    case .call(let name, let arguments, let options):
      return try call(name, nameSpan: expr.span, arguments, options: options, file, span: expr.span)
    case .command(let call):
      return try runCommand(call, file)
    }
  }

  /// Like `evaluate`, but a bare word that names nothing is passed on as a word (`fit pico`,
  /// `shrink int8`), so functions can forward enum words to commands.
  func evaluateLoosely(_ expr: Expr, _ file: SourceFile) throws(Diagnostic) -> Value {
    if case .name(let name) = expr.kind, resolve(name) == nil { return .word(name) }
    return try evaluate(expr, file)
  }

  /// Looks a name up: variables, then `_`/`_N`, `model`, `target`, then session objects.
  func resolve(_ name: String) -> Value? {
    if let value = variable(name) { return value }
    if let result = previousResult(name) { return result }
    if name == "model" { return state.workingModel.map { .model($0) } }
    if name == "target" { return state.target.map { .target($0) } }
    if let model = state.model(named: name) { return .model(model) }
    if let dataset = state.dataset(named: name) { return .dataset(dataset) }
    if let device = state.device(named: name) { return .target(device) }
    if let function = state.functions[name] { return .function(function) }
    return nil
  }

  /// The value `_` (the last result) or `_N` (statement or cell N's result) refers to.
  func previousResult(_ name: String) -> Value? {
    if name == "_" { return state.lastResult }
    if name.hasPrefix("_"), let number = Int(name.dropFirst()) { return state.results[number] }
    return nil
  }

  /// All names visible now, for suggestions and completion.
  var visibleNames: [String] {
    var names = Set(state.globals.keys)
    for scope in scopes { names.formUnion(scope.keys) }
    names.formUnion(state.models.map(\.name))
    names.formUnion(state.datasets.map(\.name))
    names.formUnion(state.devices.map(\.name))
    names.formUnion(state.functions.keys)
    return names.sorted()
  }

  func unknownName(_ name: String, _ span: SourceSpan, _ file: SourceFile) -> Diagnostic {
    var diagnostic = Diagnostic(
      .error, "unknown name '\(name)'", file: file, span: span, exitCode: .dataError)
    if name == "model" {
      diagnostic.message = "no model is loaded"
      diagnostic.hint = "load one first: load \"model.onnx\""
    } else if name == "target" {
      diagnostic.message = "no target is selected"
      diagnostic.hint = "select one first: use targets, then target pico"
    } else if let guess = Suggestion.closest(to: name, in: visibleNames) {
      diagnostic.hint = "did you mean '\(guess)'?"
    } else if name.contains("-") {
      diagnostic.hint = "to subtract, put spaces around '-'"
    } else if name.hasPrefix("_") {
      diagnostic.hint = "no result is numbered \(name.dropFirst())"
    }
    return diagnostic
  }
}
