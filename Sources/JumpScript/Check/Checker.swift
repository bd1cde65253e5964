import Foundation

/// Finds every mistake in a script without running any engine work: syntax, unknown commands,
/// options and names, values of the wrong type or out of range, missing input files.
///
/// It follows the script's own declarations in order (`load ... as`, `dataset NAME =`, `let`,
/// `def`, `use`, `device`), so a name is known from the line that introduces it.
public struct Checker {
  private let registry: CommandRegistry
  private let stdlib: URL?
  private var scope = StaticScope()
  private var diagnostics: [Diagnostic] = []
  private var loadedModules: Set<String> = []

  /// Creates a checker for a command set and stdlib location.
  public init(registry: CommandRegistry = .standard, stdlib: URL?) {
    self.registry = registry
    self.stdlib = stdlib
  }

  /// Checks a whole source; returns every diagnostic, in source order.
  public static func check(
    _ source: SourceFile, registry: CommandRegistry = .standard, stdlib: URL?
  ) -> [Diagnostic] {
    var checker = Checker(registry: registry, stdlib: stdlib)
    return checker.check(source)
  }

  /// Checks a source in the context of what earlier sources (or the live session) declared.
  public mutating func check(_ source: SourceFile) -> [Diagnostic] {
    diagnostics = []
    let (program, syntaxErrors) = Parser.parse(source, syntax: registry.syntax)
    diagnostics.append(contentsOf: syntaxErrors)
    for statement in program.statements { check(statement, source) }
    return diagnostics.sorted { ($0.span?.start ?? 0) < ($1.span?.start ?? 0) }
  }

  /// Seeds the checker with names a live session already has (for checking REPL cells).
  public mutating func declare(
    models: [String], datasets: [String], devices: [String], variables: [String], functions: [String: Int],
    functionOptions: [String: [String]] = [:]
  ) {
    scope.models.formUnion(models)
    scope.datasets.formUnion(datasets)
    scope.devices.formUnion(devices)
    scope.variables.formUnion(variables)
    for (name, count) in functions { scope.functions[name] = (count, functionOptions[name] ?? []) }
  }

  private mutating func report(_ diagnostic: Diagnostic) {
    var diagnostic = diagnostic
    if diagnostic.exitCode == .failure { diagnostic.exitCode = .dataError }
    diagnostics.append(diagnostic)
  }

  // MARK: Statements

  private mutating func check(_ statement: Stmt, _ file: SourceFile) {
    switch statement.kind {
    case .command(let call):
      checkCommand(call, file)
    case .expression(let expr):
      if case .name(let name) = expr.kind, !scope.knows(name),
        let command = Suggestion.mistypedCommand(
          name, commands: Array(registry.commands.keys), names: scope.allNames)
      {
        report(
          Diagnostic(
            .error, "unknown command '\(name)'", file: file, span: expr.span,
            hint: "did you mean '\(command)'?"))
      } else {
        checkExpression(expr, file)
      }
    case .let(let name, let nameSpan, let value):
      checkExpression(value, file)
      if registry.commands[name] != nil {
        report(
          Diagnostic(
            .error, "'\(name)' is a command and cannot be a variable name", file: file, span: nameSpan))
      }
      scope.variables.insert(name)
    case .assign(let name, let nameSpan, let value):
      checkExpression(value, file)
      if !scope.variables.contains(name) {
        report(
          Diagnostic(
            .error, "unknown variable '\(name)'", file: file, span: nameSpan,
            hint: "define it first with `let \(name) = ...`"))
      }
    case .if(let condition, let then, let otherwise):
      checkExpression(condition, file)
      checkBlock(then, file)
      if let otherwise { checkBlock(otherwise, file) }
    case .for(let variable, _, let sequence, let body):
      checkExpression(sequence, file)
      let saved = scope
      scope.variables.insert(variable)
      for inner in body { check(inner, file) }
      scope.restoreLocals(from: saved)
    case .def(let name, let nameSpan, let parameters, let options, let body):
      if registry.commands[name] != nil {
        report(
          Diagnostic(.error, "'\(name)' is a command and cannot be redefined", file: file, span: nameSpan))
      }
      scope.functions[name] = (parameters.count, options.map(\.name))
      let saved = scope
      scope.variables.formUnion(parameters)
      for option in options {
        checkExpression(option.value, file, looseNames: true)
        scope.variables.insert(option.name)
      }
      scope.insideFunction += 1
      for inner in body { check(inner, file) }
      scope.insideFunction -= 1
      scope.restoreLocals(from: saved)
    case .use(let module, let moduleSpan):
      checkUse(module, moduleSpan, file)
    case .call(let name, let nameSpan, let arguments, let options):
      for argument in arguments { checkExpression(argument, file, looseNames: true) }
      checkCall(name, nameSpan, arguments.count, options, statement.span, file)
    }
  }

  private mutating func checkBlock(_ statements: [Stmt], _ file: SourceFile) {
    let saved = scope
    for statement in statements { check(statement, file) }
    scope.restoreLocals(from: saved)
  }

  private mutating func checkUse(_ module: String, _ span: SourceSpan, _ file: SourceFile) {
    let url: URL
    do { url = try ModuleResolver.url(for: module, relativeTo: file, stdlib: stdlib) } catch {
      report(Diagnostic(.error, error.message, file: file, span: span, hint: error.hint))
      return
    }
    guard !loadedModules.contains(url.path) else { return }
    loadedModules.insert(url.path)
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      report(Diagnostic(.error, "cannot read module '\(module)'", file: file, span: span))
      return
    }
    let moduleFile = SourceFile(name: url.path, text: text)
    let (program, syntaxErrors) = Parser.parse(moduleFile, syntax: registry.syntax)
    diagnostics.append(contentsOf: syntaxErrors)
    for statement in program.statements { check(statement, moduleFile) }
  }

  private mutating func checkCall(
    _ name: String, _ nameSpan: SourceSpan, _ count: Int, _ options: [NamedExpr], _ span: SourceSpan,
    _ file: SourceFile
  ) {
    for option in options { checkExpression(option.value, file, looseNames: true) }
    guard let (arity, optionNames) = scope.functions[name] else {
      let candidates = Array(registry.commands.keys) + Array(scope.functions.keys)
      var diagnostic = Diagnostic(.error, "unknown command '\(name)'", file: file, span: nameSpan)
      diagnostic.hint =
        Suggestion.closest(to: name, in: candidates).map { "did you mean '\($0)'?" }
        ?? "type .help for the list of commands"
      report(diagnostic)
      return
    }
    if arity != count {
      report(Diagnostic(.error, "'\(name)' takes \(arity) argument(s), got \(count)", file: file, span: span))
    }
    var given: [String] = []
    for option in options {
      if let problem = FunctionOptions.problem(
        with: option, function: name, optionNames: optionNames, alreadyGiven: given)
      {
        report(Diagnostic(.error, problem.message, file: file, span: option.nameSpan, hint: problem.hint))
      }
      given.append(option.name)
    }
  }

  // MARK: Commands

  private mutating func checkCommand(_ call: CommandCall, _ file: SourceFile) {
    guard let command = registry.commands[call.name] else { return }
    let signature = command.signature
    var found: [Diagnostic] = []
    let snapshot = scope
    let binder = ArgumentBinder(signature: signature, file: file) { (expr, parameter) throws(Diagnostic) in
      try StaticEvaluator(scope: snapshot).argument(expr, for: parameter, file)
    }
    let (arguments, problems) = binder.bind(call)
    found.append(contentsOf: problems)
    for (name, span) in arguments.spans {
      guard
        let parameter = (signature.positionals + signature.options + signature.prepositions.map(\.parameter))
          .first(where: { $0.name == name })
      else { continue }
      if case .inputPath = parameter.type, case .string(let path)? = arguments.values[name],
        !FileManager.default.fileExists(atPath: path), !scope.writtenFiles.contains(path),
        scope.insideFunction == 0
      {
        found.append(Diagnostic(.error, "no such file '\(path)'", file: file, span: span, exitCode: .noInput))
      }
      if case .outputPath = parameter.type, case .string(let path)? = arguments.values[name] {
        scope.writtenFiles.insert(path)
      }
    }
    for diagnostic in found { report(diagnostic) }
    declareResults(of: call, arguments, file)
  }

  /// Records the names a command introduces, so later lines can use them.
  private mutating func declareResults(of call: CommandCall, _ arguments: BoundArguments, _ file: SourceFile)
  {
    switch call.name {
    case "load":
      if let name = arguments.string("name") {
        declareModel(name)
      } else if let path = arguments.string("path") {
        declareModel(LoadCommand.defaultName(for: URL(fileURLWithPath: path)))
      } else {
        scope.anyModel = true
        scope.workingModel = nil
      }
    case "dataset":
      if let name = arguments.binding {
        scope.datasets.insert(name)
        if arguments.isGiven("split") { scope.datasets.insert(DatasetCommand.restName(of: name, arguments)) }
      }
    case "device":
      if let name = arguments.string("name") { scope.devices.insert(name) }
    case "target":
      // A description file is read now, so its mistakes are found without running and its device
      // is known by name on later lines.
      if let path = arguments.string("path"), FileManager.default.fileExists(atPath: path) {
        do { scope.devices.insert(try DeviceFile.read(path).name) } catch {
          report(
            Diagnostic(
              .error, error.message, file: file, span: arguments.spans["path"] ?? call.span, hint: error.hint)
          )
        }
      }
    default:
      let signature = registry.signature(call.name)
      if let name = arguments.string("name"), signature?.preposition(.as)?.type.isNewName == true {
        declareModel(name)
      } else if let makeName = signature?.defaultModelName {
        if let base = staticModelName(call) ?? scope.workingModel {
          declareModel(makeName(arguments, base))
        } else {
          scope.anyModel = true
          scope.workingModel = nil
        }
      }
    }
  }

  private mutating func declareModel(_ name: String) {
    scope.models.insert(name)
    scope.workingModel = name
  }

  /// The model a command names with `from NAME` or as its `model` positional, when written as a bare name.
  private func staticModelName(_ call: CommandCall) -> String? {
    for argument in call.arguments {
      if case .preposition(.from, _, let expr) = argument, case .name(let name) = expr.kind { return name }
    }
    guard let signature = registry.signature(call.name),
      let index = signature.positionals.firstIndex(where: { $0.name == "model" })
    else { return nil }
    let positionals = call.arguments.compactMap { argument -> Expr? in
      if case .positional(let expr) = argument { return expr }
      return nil
    }
    guard index < positionals.count, case .name(let name) = positionals[index].kind else { return nil }
    return name
  }

  // MARK: Expressions

  private mutating func checkExpression(_ expr: Expr, _ file: SourceFile, looseNames: Bool = false) {
    switch expr.kind {
    case .number, .string, .bool: return
    case .list(let elements): for element in elements { checkExpression(element, file) }
    case .name(let name):
      if !looseNames && !scope.knows(name) {
        report(StaticEvaluator(scope: scope).unknownName(name, expr.span, file))
      }
    case .field(let base, _, _): checkExpression(base, file)
    case .unary(_, let operand): checkExpression(operand, file)
    case .binary(_, let left, let right):
      checkExpression(left, file)
      checkExpression(right, file)
    case .call(let name, let arguments, let options):
      for argument in arguments { checkExpression(argument, file, looseNames: true) }
      checkCall(name, expr.span, arguments.count, options, expr.span, file)
    case .command(let call):
      checkCommand(call, file)
    }
  }
}
