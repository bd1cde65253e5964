import Foundation

/// Runs parsed statements against a session: a tree-walking interpreter in the manner of
/// Crafting Interpreters' jlox, with commands dispatched through the registry.
public final class Interpreter {
  /// The session state after the last statement.
  public internal(set) var state: SessionState
  /// The commands the language knows.
  public let registry: CommandRegistry
  /// Files, logging and cancellation.
  public var environment: RunEnvironment
  /// Receives each result as it is produced, including results inside loops and functions.
  public var onResult: (Value) -> Void = { _ in }
  /// The number the next top-level statement gets (`_3` refers to statement 3).
  public private(set) var nextStatementNumber = 1

  var scopes: [[String: Value]] = []
  private var undoStack: [SessionState] = []
  private var callDepth = 0

  /// Creates an interpreter over a session state.
  public init(
    state: SessionState = SessionState(), registry: CommandRegistry = .standard, environment: RunEnvironment
  ) {
    self.state = state
    self.registry = registry
    self.environment = environment
  }

  /// Parses a source with this interpreter's command set.
  public func parse(_ source: SourceFile) -> (program: Program, diagnostics: [Diagnostic]) {
    Parser.parse(source, syntax: registry.syntax)
  }

  /// Runs one top-level statement. On failure the session is as it was before the statement.
  @discardableResult
  public func execute(_ statement: Stmt, in file: SourceFile) throws(Diagnostic) -> Value {
    let before = state
    let number = nextStatementNumber
    nextStatementNumber += 1
    scopes = []
    do {
      let value = try run(statement, file)
      if case .none = value {
      } else {
        state.results[number] = value
        state.lastResult = value
      }
      undoStack.append(before)
      if undoStack.count > 100 { undoStack.removeFirst() }
      return value
    } catch {
      state = before
      // A cancelled statement is not kept in the journal, so it must not use up a number either.
      if error.exitCode == .interrupted { nextStatementNumber = number }
      throw error
    }
  }

  /// Restores the state before the last successful top-level statement; false if there is none.
  public func undo() -> Bool {
    guard let previous = undoStack.popLast() else { return false }
    state = previous
    return true
  }

  /// Loads a stdlib module (`use targets`) unless it was loaded already.
  public func use(module: String, span: SourceSpan, in file: SourceFile) throws(Diagnostic) {
    let url: URL
    do {
      url = try ModuleResolver.url(for: module, relativeTo: file, stdlib: environment.stdlibDirectory)
    } catch {
      throw Diagnostic(.error, error.message, file: file, span: span, hint: error.hint, exitCode: .noInput)
    }
    let key = url.standardizedFileURL.path
    if state.usedModules.contains(key) { return }
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw Diagnostic(
        .error, "cannot read module '\(module)': \(error.localizedDescription)", file: file, span: span)
    }
    let moduleFile = SourceFile(name: url.path, text: text)
    let (program, diagnostics) = parse(moduleFile)
    if let first = diagnostics.first { throw first }
    state.usedModules.insert(key)
    let savedScopes = scopes
    scopes = []
    defer { scopes = savedScopes }
    for statement in program.statements { _ = try run(statement, moduleFile) }
  }

  // MARK: Statements

  func run(_ statement: Stmt, _ file: SourceFile) throws(Diagnostic) -> Value {
    try checkCancelled(file, statement.span)
    switch statement.kind {
    case .command(let call):
      let value = try runCommand(call, file)
      emit(value)
      return value
    case .expression(let expr):
      if case .name(let name) = expr.kind, resolve(name) == nil,
        let command = Suggestion.mistypedCommand(
          name, commands: Array(registry.commands.keys), names: visibleNames)
      {
        throw Diagnostic(
          .error, "unknown command '\(name)'", file: file, span: expr.span,
          hint: "did you mean '\(command)'?",
          exitCode: .dataError)
      }
      let value = try evaluate(expr, file)
      emit(value)
      return value
    case .let(let name, _, let expr):
      let value = try evaluate(expr, file)
      define(name, value)
      return .none
    case .assign(let name, let nameSpan, let expr):
      let value = try evaluate(expr, file)
      guard assign(name, value) else {
        throw Diagnostic(
          .error, "unknown variable '\(name)'", file: file, span: nameSpan,
          hint: "define it first with `let \(name) = ...`", exitCode: .dataError)
      }
      return .none
    case .if(let condition, let then, let otherwise):
      let flag = try truth(try evaluate(condition, file), condition.span, file)
      if flag {
        try runBlock(then, file)
      } else if let otherwise {
        try runBlock(otherwise, file)
      }
      return .none
    case .for(let variable, _, let sequence, let body):
      let value = try evaluate(sequence, file)
      guard case .list(let elements) = value else {
        throw Diagnostic(
          .error, "'for' needs a list, not a \(value.typeName)", file: file, span: sequence.span)
      }
      for element in elements {
        scopes.append([variable: element])
        defer { scopes.removeLast() }
        for inner in body { _ = try run(inner, file) }
      }
      return .none
    case .def(let name, let nameSpan, let parameters, let options, let body):
      if registry.commands[name] != nil {
        throw Diagnostic(.error, "'\(name)' is a command and cannot be redefined", file: file, span: nameSpan)
      }
      state.functions[name] = FunctionValue(
        name: name, parameters: parameters, options: options, body: body, source: file, span: statement.span)
      return .none
    case .use(let module, let moduleSpan):
      try use(module: module, span: moduleSpan, in: file)
      return .none
    case .call(let name, let nameSpan, let arguments, let options):
      return try call(name, nameSpan: nameSpan, arguments, options: options, file, span: statement.span)
    }
  }

  private func runBlock(_ statements: [Stmt], _ file: SourceFile) throws(Diagnostic) {
    scopes.append([:])
    defer { scopes.removeLast() }
    for statement in statements { _ = try run(statement, file) }
  }

  private func emit(_ value: Value) {
    if case .none = value { return }
    if case .function = value { return }
    onResult(value)
  }

  /// Binds a name in the innermost scope, or globally at top level.
  func define(_ name: String, _ value: Value) {
    if scopes.isEmpty {
      state.globals[name] = value
    } else {
      scopes[scopes.count - 1][name] = value
    }
  }

  /// Rebinds an existing variable where it was defined; false if no scope has it.
  func assign(_ name: String, _ value: Value) -> Bool {
    for index in scopes.indices.reversed() where scopes[index][name] != nil {
      scopes[index][name] = value
      return true
    }
    guard state.globals[name] != nil else { return false }
    state.globals[name] = value
    return true
  }

  /// The value bound to a variable name, innermost scope first.
  func variable(_ name: String) -> Value? {
    for scope in scopes.reversed() {
      if let value = scope[name] { return value }
    }
    return state.globals[name]
  }

  /// Calls a `def` function: arguments and option values are evaluated in the caller (bare words
  /// pass on as words); omitted options get their defaults, evaluated in the callee's scope so a
  /// default may use the parameters before it.
  func call(
    _ name: String, nameSpan: SourceSpan, _ arguments: [Expr], options: [NamedExpr], _ file: SourceFile,
    span: SourceSpan
  ) throws(Diagnostic) -> Value {
    guard let function = state.functions[name] else {
      let candidates = Array(registry.commands.keys) + Array(state.functions.keys)
      var diagnostic = Diagnostic(
        .error, "unknown command '\(name)'", file: file, span: nameSpan, exitCode: .dataError)
      diagnostic.hint =
        Suggestion.closest(to: name, in: candidates).map { "did you mean '\($0)'?" }
        ?? "type .help for the list of commands"
      throw diagnostic
    }
    guard arguments.count == function.parameters.count else {
      throw Diagnostic(
        .error, "'\(name)' takes \(function.parameters.count) argument(s), got \(arguments.count)",
        file: file, span: span, hint: function.usage)
    }
    var given: [String: Value] = [:]
    for option in options {
      if let problem = FunctionOptions.problem(
        with: option, function: name, optionNames: function.optionNames, alreadyGiven: Array(given.keys))
      {
        throw Diagnostic(
          .error, problem.message, file: file, span: option.nameSpan, hint: problem.hint, exitCode: .dataError
        )
      }
      given[option.name] = try evaluateLoosely(option.value, file)
    }
    var values: [Value] = []
    for argument in arguments { values.append(try evaluateLoosely(argument, file)) }
    guard callDepth < 64 else {
      throw Diagnostic(.error, "functions nest deeper than 64 calls", file: file, span: span)
    }
    callDepth += 1
    let savedScopes = scopes
    scopes = [Dictionary(uniqueKeysWithValues: zip(function.parameters, values))]
    defer {
      scopes = savedScopes
      callDepth -= 1
    }
    for option in function.options {
      if let value = given[option.name] {
        define(option.name, value)
      } else {
        define(option.name, try evaluateLoosely(option.value, function.source))
      }
    }
    for statement in function.body { _ = try run(statement, function.source) }
    return .none
  }

  func checkCancelled(_ file: SourceFile, _ span: SourceSpan) throws(Diagnostic) {
    if environment.isCancelled() {
      throw Diagnostic(.error, "interrupted", file: file, span: span, exitCode: .interrupted)
    }
  }

  private func truth(_ value: Value, _ span: SourceSpan, _ file: SourceFile) throws(Diagnostic) -> Bool {
    guard case .bool(let flag) = value else {
      throw Diagnostic(
        .error, "a condition must be true or false, not a \(value.typeName)", file: file, span: span)
    }
    return flag
  }
}
