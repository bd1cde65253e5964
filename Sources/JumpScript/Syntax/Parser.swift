/// Builds a ``Program`` from tokens, recovering at line ends so that one run reports every
/// syntax error in a file.
///
/// The parser knows which words are commands (from the registry) because a command statement
/// and an expression statement look alike at their first token: `report` runs a command,
/// `r.peak_ram` reads a field.
public struct Parser {
  /// What the parser needs to know about commands.
  public struct CommandSyntax: Sendable {
    /// Names of all commands.
    public var commands: Set<String>
    /// Commands written `NAME IDENT = VALUE ...`, such as `dataset train = "train.npz"`.
    public var bindingCommands: Set<String>

    /// Creates the syntax table.
    public init(commands: Set<String>, bindingCommands: Set<String>) {
      self.commands = commands
      self.bindingCommands = bindingCommands
    }
  }

  private struct ParseError: Error {}

  private let source: SourceFile
  private let syntax: CommandSyntax
  private var tokens: [Token]
  private var index = 0
  private var diagnostics: [Diagnostic]

  /// Parses a whole source; the diagnostics hold lexical and syntax errors, in order.
  public static func parse(
    _ source: SourceFile, syntax: CommandSyntax
  ) -> (
    program: Program, diagnostics: [Diagnostic]
  ) {
    let (tokens, lexical) = Lexer.tokenize(source)
    var parser = Parser(source: source, syntax: syntax, tokens: tokens, diagnostics: lexical)
    let statements = parser.statements(untilBrace: false)
    let ordered = parser.diagnostics.sorted { ($0.span?.start ?? 0) < ($1.span?.start ?? 0) }
    return (Program(source: source, statements: statements), ordered)
  }

  /// True when the text ends inside an open `{` block, so a REPL should read another line.
  public static func needsMoreInput(_ text: String) -> Bool {
    let (tokens, _) = Lexer.tokenize(SourceFile(name: "<input>", text: text))
    var depth = 0
    for token in tokens {
      if token.kind == .symbol(.leftBrace) { depth += 1 }
      if token.kind == .symbol(.rightBrace) { depth -= 1 }
    }
    return depth > 0 || endsWithContinuation(text)
  }

  /// Whether the last line ends in a `\` that continues it (not one inside a comment).
  private static func endsWithContinuation(_ text: String) -> Bool {
    let lastLine = text.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
    var inString = false
    var escaped = false
    var code = ""
    for character in lastLine {
      if inString {
        if escaped {
          escaped = false
        } else if character == "\\" {
          escaped = true
        } else if character == "\"" {
          inString = false
        }
      } else if character == "\"" {
        inString = true
      } else if character == "#" {
        break
      }
      code.append(character)
    }
    return code.trimmingCharacters(in: .whitespaces).hasSuffix("\\")
  }

  private init(source: SourceFile, syntax: CommandSyntax, tokens: [Token], diagnostics: [Diagnostic]) {
    self.source = source
    self.syntax = syntax
    self.tokens = tokens
    self.diagnostics = diagnostics
  }

  // MARK: Token access

  private var current: Token { tokens[index] }
  private var previousEnd: Int { index > 0 ? tokens[index - 1].span.end : 0 }

  private func peekKind(_ offset: Int = 1) -> Token.Kind {
    let at = index + offset
    return at < tokens.count ? tokens[at].kind : .end
  }

  @discardableResult
  private mutating func advance() -> Token {
    let token = tokens[index]
    if token.kind != .end { index += 1 }
    return token
  }

  private func check(_ symbol: Symbol) -> Bool { current.kind == .symbol(symbol) }
  private func check(_ keyword: Keyword) -> Bool { current.kind == .keyword(keyword) }

  private var atStatementEnd: Bool {
    switch current.kind {
    case .newline, .end, .symbol(.rightBrace): return true
    default: return false
    }
  }

  private mutating func expect(_ symbol: Symbol, _ context: String) throws(ParseError) -> Token {
    if check(symbol) { return advance() }
    throw fail("expected '\(symbol.rawValue)' \(context), found \(current.kind)")
  }

  private mutating func identifier(_ what: String) throws(ParseError) -> (String, SourceSpan) {
    if case .identifier(let name) = current.kind {
      let span = advance().span
      return (name, span)
    }
    if case .keyword(let keyword) = current.kind {
      throw fail("'\(keyword.rawValue)' is a reserved word and cannot be \(what)")
    }
    throw fail("expected \(what), found \(current.kind)")
  }

  private mutating func fail(_ message: String, at span: SourceSpan? = nil, hint: String? = nil) -> ParseError
  {
    diagnostics.append(
      Diagnostic(.error, message, file: source, span: span ?? current.span, hint: hint, exitCode: .dataError))
    return ParseError()
  }

  private mutating func skipNewlines() {
    while current.kind == .newline { advance() }
  }

  /// Skips to the end of the current line after an error, keeping brace balance.
  private mutating func synchronize() {
    while current.kind != .newline && current.kind != .end {
      if check(.rightBrace) { return }
      if check(.leftBrace) {
        skipBlock()
        continue
      }
      advance()
    }
  }

  private mutating func skipBlock() {
    var depth = 0
    repeat {
      if check(.leftBrace) { depth += 1 }
      if check(.rightBrace) { depth -= 1 }
      advance()
    } while depth > 0 && current.kind != .end
  }

  // MARK: Statements

  private mutating func statements(untilBrace: Bool) -> [Stmt] {
    var result: [Stmt] = []
    while true {
      skipNewlines()
      if current.kind == .end { break }
      if check(.rightBrace) {
        if untilBrace { break }
        _ = fail("unmatched '}'")
        advance()
        continue
      }
      do {
        let statement = try self.statement()
        result.append(statement)
        if !atStatementEnd {
          throw fail("unexpected \(current.kind) after the statement", hint: "one statement per line")
        }
      } catch {
        synchronize()
      }
    }
    return result
  }

  private mutating func statement() throws(ParseError) -> Stmt {
    let start = current.span.start
    switch current.kind {
    case .keyword(.let):
      advance()
      let (name, nameSpan) = try identifier("a variable name")
      _ = try expect(.assign, "after the variable name")
      let value = try commandOrExpression()
      return Stmt(kind: .let(name: name, nameSpan: nameSpan, value: value), span: span(from: start))
    case .keyword(.if):
      return try ifStatement()
    case .keyword(.for):
      advance()
      let (variable, variableSpan) = try identifier("a loop variable")
      guard check(.in) else { throw fail("expected 'in' after the loop variable, found \(current.kind)") }
      advance()
      let sequence = try expression()
      let body = try block("the loop body")
      return Stmt(
        kind: .for(variable: variable, variableSpan: variableSpan, sequence: sequence, body: body),
        span: span(from: start))
    case .keyword(.def):
      advance()
      let (name, nameSpan) = try identifier("a function name")
      _ = try expect(.leftParen, "after the function name")
      let (parameters, options) = try parameterList()
      _ = try expect(.rightParen, "to close the parameter list")
      let body = try block("the function body")
      return Stmt(
        kind: .def(name: name, nameSpan: nameSpan, parameters: parameters, options: options, body: body),
        span: span(from: start))
    case .keyword(.use):
      advance()
      if case .string(let path) = current.kind {
        let moduleSpan = advance().span
        return Stmt(kind: .use(module: path, moduleSpan: moduleSpan), span: span(from: start))
      }
      let (module, moduleSpan) = try identifier("a module name")
      return Stmt(kind: .use(module: module, moduleSpan: moduleSpan), span: span(from: start))
    case .keyword(.else):
      throw fail("'else' without 'if'", hint: "write '} else {' on the line that closes the if block")
    case .identifier(let name) where peekKind() == .symbol(.assign) && !syntax.commands.contains(name):
      let nameSpan = advance().span
      advance()
      if atStatementEnd { throw fail("expected a value after '\(name) ='") }
      let value = try commandOrExpression()
      return Stmt(kind: .assign(name: name, nameSpan: nameSpan, value: value), span: span(from: start))
    case .identifier(let name) where startsCommand(name):
      let call = try command()
      return Stmt(kind: .command(call), span: call.span)
    default:
      let expr = try expression()
      if case .name(let name) = expr.kind, !atStatementEnd {
        var arguments: [Expr] = []
        var options: [NamedExpr] = []
        while !atStatementEnd {
          if case .identifier(let key) = current.kind, peekKind() == .symbol(.assign) {
            // Options of a `def` function; whether `name` has them is the checker's business.
            let keySpan = advance().span
            advance()
            if atStatementEnd { throw fail("expected a value after '\(key)='") }
            options.append(NamedExpr(name: key, nameSpan: keySpan, value: try expression()))
            continue
          }
          if let first = options.first {
            throw fail(
              "a positional argument after the option '\(first.name)='",
              hint: "write the arguments first, then the NAME=VALUE options")
          }
          arguments.append(try expression())
        }
        return Stmt(
          kind: .call(name: name, nameSpan: expr.span, arguments: arguments, options: options),
          span: span(from: start))
      }
      return Stmt(kind: .expression(expr), span: expr.span)
    }
  }

  /// A `def`'s parameters, then its options with their defaults: `device, min_agreement=0.97`.
  private mutating func parameterList() throws(ParseError) -> ([String], [NamedExpr]) {
    var parameters: [String] = []
    var options: [NamedExpr] = []
    while !check(.rightParen) {
      let (parameter, parameterSpan) = try identifier("a parameter name")
      if parameters.contains(parameter) || options.contains(where: { $0.name == parameter }) {
        throw fail("parameter '\(parameter)' appears twice", at: parameterSpan)
      }
      if check(.assign) {
        advance()
        if check(.comma) || check(.rightParen) {
          throw fail("expected a default value after '\(parameter)='")
        }
        options.append(NamedExpr(name: parameter, nameSpan: parameterSpan, value: try expression()))
      } else if let first = options.first {
        throw fail(
          "parameter '\(parameter)' has no default but follows the option '\(first.name)'", at: parameterSpan,
          hint: "list the parameters first, then the options with their defaults (NAME=DEFAULT)")
      } else {
        parameters.append(parameter)
      }
      if !check(.comma) { break }
      advance()
    }
    return (parameters, options)
  }

  private mutating func ifStatement() throws(ParseError) -> Stmt {
    let start = advance().span.start
    let condition = try expression()
    let then = try block("the if body")
    var otherwise: [Stmt]?
    var lookahead = index
    while lookahead < tokens.count, tokens[lookahead].kind == .newline { lookahead += 1 }
    if lookahead < tokens.count, tokens[lookahead].kind == .keyword(.else) {
      index = lookahead
      advance()
      if check(.if) {
        otherwise = [try ifStatement()]
      } else {
        otherwise = try block("the else body")
      }
    }
    return Stmt(kind: .if(condition: condition, then: then, otherwise: otherwise), span: span(from: start))
  }

  private mutating func block(_ what: String) throws(ParseError) -> [Stmt] {
    guard check(.leftBrace) else { throw fail("expected '{' to start \(what), found \(current.kind)") }
    let open = advance()
    let body = statements(untilBrace: true)
    guard check(.rightBrace) else {
      throw fail(
        "missing '}' to close \(what)", at: open.span, hint: "the block opened here was never closed")
    }
    advance()
    return body
  }

  private func startsCommand(_ name: String) -> Bool {
    guard syntax.commands.contains(name) else { return false }
    switch peekKind() {
    case .symbol(.dot), .symbol(.equal), .symbol(.notEqual), .symbol(.less), .symbol(.lessEqual),
      .symbol(.greater), .symbol(.greaterEqual), .symbol(.plus), .symbol(.star), .symbol(.slash),
      .keyword(.and), .keyword(.or):
      return false
    default:
      return true
    }
  }

  private mutating func commandOrExpression() throws(ParseError) -> Expr {
    if case .identifier(let name) = current.kind, startsCommand(name) {
      let call = try command()
      return Expr(kind: .command(call), span: call.span)
    }
    return try expression()
  }

  private mutating func command() throws(ParseError) -> CommandCall {
    let (name, nameSpan) = try identifier("a command")
    var binding: (String, SourceSpan)?
    if syntax.bindingCommands.contains(name) {
      let (bound, boundSpan) = try identifier("a name to bind (as in `\(name) train = \"train.npz\"`)")
      _ = try expect(.assign, "after '\(bound)' (write `\(name) \(bound) = PATH`)")
      binding = (bound, boundSpan)
    }
    var arguments: [CommandArgument] = []
    while !atStatementEnd {
      if check(.leftBrace) { break }
      switch current.kind {
      case .keyword(let keyword) where Keyword.prepositions.contains(keyword):
        let keywordSpan = advance().span
        if atStatementEnd { throw fail("expected a value after '\(keyword.rawValue)'") }
        arguments.append(.preposition(keyword, keywordSpan: keywordSpan, value: try expression()))
      case .hashPin(let hex):
        arguments.append(.pin(hex, span: advance().span))
      case .identifier(let key) where peekKind() == .symbol(.assign):
        let keySpan = advance().span
        advance()
        if atStatementEnd { throw fail("expected a value after '\(key)='") }
        arguments.append(.option(key: key, keySpan: keySpan, value: try expression()))
      default:
        arguments.append(.positional(try expression()))
      }
    }
    return CommandCall(
      name: name, nameSpan: nameSpan, arguments: arguments, binding: binding,
      span: SourceSpan(start: nameSpan.start, end: previousEnd))
  }

  // MARK: Expressions

  private func span(from start: Int) -> SourceSpan { SourceSpan(start: start, end: previousEnd) }

  private mutating func expression(minimumPrecedence: Int = 1) throws(ParseError) -> Expr {
    var left = try unary()
    while let op = binaryOperator(current.kind), op.precedence >= minimumPrecedence {
      advance()
      if current.kind == .newline || current.kind == .end {
        throw fail("expected a value after '\(op.rawValue)'")
      }
      let right = try expression(minimumPrecedence: op.precedence + 1)
      left = Expr(kind: .binary(op, left, right), span: left.span.merged(with: right.span))
    }
    return left
  }

  private func binaryOperator(_ kind: Token.Kind) -> BinaryOperator? {
    switch kind {
    case .keyword(.or): return .or
    case .keyword(.and): return .and
    case .symbol(.equal): return .equal
    case .symbol(.notEqual): return .notEqual
    case .symbol(.less): return .less
    case .symbol(.lessEqual): return .lessEqual
    case .symbol(.greater): return .greater
    case .symbol(.greaterEqual): return .greaterEqual
    case .symbol(.plus): return .add
    case .symbol(.minus): return .subtract
    case .symbol(.star): return .multiply
    case .symbol(.slash): return .divide
    default: return nil
    }
  }

  private mutating func unary() throws(ParseError) -> Expr {
    let start = current.span.start
    if check(.minus) {
      advance()
      let operand = try unary()
      return Expr(kind: .unary(.negate, operand), span: span(from: start))
    }
    if check(.not) || check(.bang) {
      advance()
      let operand = try unary()
      return Expr(kind: .unary(.not, operand), span: span(from: start))
    }
    return try postfix()
  }

  private mutating func postfix() throws(ParseError) -> Expr {
    var expr = try primary()
    while check(.dot) {
      advance()
      let (name, nameSpan) = try identifier("a field name")
      expr = Expr(kind: .field(expr, name: name, nameSpan: nameSpan), span: expr.span.merged(with: nameSpan))
    }
    return expr
  }

  private mutating func primary() throws(ParseError) -> Expr {
    let token = current
    switch token.kind {
    case .number(let value, let unit):
      advance()
      return Expr(kind: .number(value, unit), span: token.span)
    case .string(let text):
      advance()
      return Expr(kind: .string(text), span: token.span)
    case .keyword(.true), .keyword(.false):
      advance()
      return Expr(kind: .bool(token.kind == .keyword(.true)), span: token.span)
    case .identifier(let name):
      advance()
      if check(.leftParen) && current.span.start == token.span.end {
        advance()
        var arguments: [Expr] = []
        var options: [NamedExpr] = []
        while !check(.rightParen) {
          if case .identifier(let key) = current.kind, peekKind() == .symbol(.assign) {
            let keySpan = advance().span
            advance()
            options.append(NamedExpr(name: key, nameSpan: keySpan, value: try expression()))
          } else if let first = options.first {
            throw fail(
              "a positional argument after the option '\(first.name)='",
              hint: "write the arguments first, then the NAME=VALUE options")
          } else {
            arguments.append(try expression())
          }
          if !check(.comma) { break }
          advance()
        }
        _ = try expect(.rightParen, "to close the argument list of '\(name)'")
        return Expr(
          kind: .call(name: name, arguments: arguments, options: options), span: span(from: token.span.start))
      }
      return Expr(kind: .name(name), span: token.span)
    case .symbol(.leftBracket):
      advance()
      var elements: [Expr] = []
      while !check(.rightBracket) {
        elements.append(try expression())
        if !check(.comma) { break }
        advance()
      }
      _ = try expect(.rightBracket, "to close the list")
      return Expr(kind: .list(elements), span: span(from: token.span.start))
    case .symbol(.leftParen):
      advance()
      var inner = try expression()
      _ = try expect(.rightParen, "to close the parenthesis")
      inner.span = span(from: token.span.start)
      return inner
    case .keyword(let keyword):
      throw fail("expected a value, found the keyword '\(keyword.rawValue)'")
    default:
      throw fail("expected a value, found \(token.kind)")
    }
  }
}
