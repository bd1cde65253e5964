/// Command dispatch: binding arguments to a signature and running the command on a copy of
/// the session state.
extension Interpreter {
  func runCommand(_ call: CommandCall, _ file: SourceFile) throws(Diagnostic) -> Value {
    guard let command = registry.commands[call.name] else {
      throw Diagnostic(.error, "unknown command '\(call.name)'", file: file, span: call.nameSpan)
    }
    let signature = command.signature
    let binder = ArgumentBinder(signature: signature, file: file) { (expr, parameter) throws(Diagnostic) in
      try self.resolveArgument(expr, for: parameter, file)
    }
    let (arguments, problems) = binder.bind(call)
    if var first = problems.first {
      // Binding problems are mistakes in the script, the class `check` reports (exit 65).
      if first.exitCode == .failure { first.exitCode = .dataError }
      throw first
    }
    var context = CommandContext(state: state, environment: environment)
    let value: Value
    do {
      value = try command.run(arguments, in: &context)
    } catch {
      let span = error.parameter.flatMap { arguments.spans[$0] } ?? call.span
      throw Diagnostic(
        .error, error.message, file: file, span: span, hint: error.hint, exitCode: error.exitCode)
    }
    try checkCancelled(file, call.span)
    state = context.state
    return value
  }

  /// Evaluates an argument for a parameter. Bare words mean what the parameter expects: an
  /// enum word for a choice, a model for a model parameter, a new name after `as`.
  func resolveArgument(
    _ expr: Expr, for parameter: Parameter, _ file: SourceFile
  ) throws(Diagnostic) -> Value? {
    if case .list(.choice) = parameter.type, case .list(let elements) = expr.kind {
      // A list of enum words (`augment=[crop, flip]`): each bare word is a word unless it names a variable.
      var values: [Value] = []
      for element in elements {
        if case .name(let word) = element.kind, variable(word) == nil, previousResult(word) == nil {
          values.append(.word(word))
        } else {
          values.append(try evaluate(element, file))
        }
      }
      return .list(values)
    }
    guard case .name(let written) = expr.kind else { return try evaluate(expr, file) }
    var name = written
    var bound = variable(name) ?? previousResult(name)
    // A bare word passed through a `def` parameter (`fit pico` → `target device`) names the object
    // the parameter wants, as if written here.
    if case .word(let word)? = bound, parameter.type.namesASessionObject {
      name = word
      bound = nil
    }
    switch parameter.type {
    case .choice, .numberOrWord, .list(.choice):
      return bound ?? .word(name)
    case .newName, .module:
      return bound.map { .string(ValueFormatter.display($0)) } ?? .string(name)
    case .model:
      if let bound { return bound }
      if name == "model", let model = state.workingModel { return .model(model) }
      if let model = state.model(named: name) { return .model(model) }
      throw missing(
        "model", name, candidates: state.models.map(\.name), expr.span, file, hint: "load it first")
    case .dataset:
      if let bound { return bound }
      if let dataset = state.dataset(named: name) { return .dataset(dataset) }
      throw missing(
        "dataset", name, candidates: state.datasets.map(\.name), expr.span, file,
        hint: "declare it first: dataset \(name) = \"data.npz\"")
    case .target:
      if let bound { return bound }
      if let device = state.device(named: name) { return .target(device) }
      let hint = state.devices.isEmpty ? "no devices are declared; add `use targets`" : nil
      throw missing("target", name, candidates: state.devices.map(\.name), expr.span, file, hint: hint)
    default:
      return try evaluate(expr, file)
    }
  }

  private func missing(
    _ kind: String, _ name: String, candidates: [String], _ span: SourceSpan, _ file: SourceFile,
    hint: String?
  ) -> Diagnostic {
    var diagnostic = Diagnostic(.error, "unknown \(kind) '\(name)'", file: file, span: span)
    diagnostic.hint =
      Suggestion.closest(to: name, in: candidates).map { "did you mean '\($0)'?" } ?? hint
      ?? Suggestion.listing(kind, candidates)
    return diagnostic
  }
}
