/// An expression: a literal, a name, a field access, an operation, a call, or a command used as
/// a value (`let r = report`).
public struct Expr: Sendable {
  /// The expression's shape.
  public indirect enum Kind: Sendable {
    case number(Double, Unit)
    case string(String)
    case bool(Bool)
    case list([Expr])
    /// A variable, a model, dataset or target name, or a bare enum word, resolved by context.
    case name(String)
    case field(Expr, name: String, nameSpan: SourceSpan)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// A call of a function defined with `def`: `shrink(0.5)`, `fit(pico, min_agreement=0.98)`.
    case call(name: String, arguments: [Expr], options: [NamedExpr])
    case command(CommandCall)
  }

  /// The expression's shape.
  public var kind: Kind
  /// The text it was parsed from.
  public var span: SourceSpan
}

/// Prefix operators.
public enum UnaryOperator: String, Sendable {
  case negate = "-"
  case not = "not"
}

/// Infix operators, loosest-binding first in ``precedence``.
public enum BinaryOperator: String, Sendable {
  case or, and
  case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
  case add = "+", subtract = "-", multiply = "*", divide = "/"

  /// Binding strength: higher binds tighter.
  var precedence: Int {
    switch self {
    case .or: return 1
    case .and: return 2
    case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return 3
    case .add, .subtract: return 4
    case .multiply, .divide: return 5
    }
  }
}

/// `NAME=VALUE` in a function's definition (the option and its default) or in a call (the
/// option and its value), written like a command's `key=value` options.
public struct NamedExpr: Sendable {
  /// The option's name.
  public var name: String
  /// Where the name is.
  public var nameSpan: SourceSpan
  /// The default (in a `def`) or the value given (in a call).
  public var value: Expr

  /// Creates a named expression.
  public init(name: String, nameSpan: SourceSpan, value: Expr) {
    self.name = name
    self.nameSpan = nameSpan
    self.value = value
  }
}

/// A command statement: the command word, its arguments and the span of the whole statement.
public struct CommandCall: Sendable {
  /// The command word, as typed.
  public var name: String
  /// Where the command word is.
  public var nameSpan: SourceSpan
  /// Arguments in the order written.
  public var arguments: [CommandArgument]
  /// For binding commands (`dataset NAME = PATH`): the name being bound.
  public var binding: (name: String, span: SourceSpan)?
  /// The whole statement.
  public var span: SourceSpan
}

/// One argument of a command.
public enum CommandArgument: Sendable {
  /// A value in order: `int8`, `0.5`, `"m.onnx"`.
  case positional(Expr)
  /// `key=value`.
  case option(key: String, keySpan: SourceSpan, value: Expr)
  /// `on DATASET`, `as NAME`, `from MODEL`, `to PATH`, `for TARGET`, `vs MODEL`.
  case preposition(Keyword, keywordSpan: SourceSpan, value: Expr)
  /// `sha256:<hex>`.
  case pin(String, span: SourceSpan)

  /// The source range of the argument.
  public var span: SourceSpan {
    switch self {
    case .positional(let expr): return expr.span
    case .option(_, let keySpan, let value): return keySpan.merged(with: value.span)
    case .preposition(_, let keywordSpan, let value): return keywordSpan.merged(with: value.span)
    case .pin(_, let span): return span
    }
  }
}

/// A statement of the language.
public struct Stmt: Sendable {
  /// The statement's shape.
  public indirect enum Kind: Sendable {
    case command(CommandCall)
    case expression(Expr)
    case `let`(name: String, nameSpan: SourceSpan, value: Expr)
    /// `NAME = VALUE`: rebinds an existing variable in the scope that defined it.
    case assign(name: String, nameSpan: SourceSpan, value: Expr)
    case `if`(condition: Expr, then: [Stmt], otherwise: [Stmt]?)
    case `for`(variable: String, variableSpan: SourceSpan, sequence: Expr, body: [Stmt])
    /// `def NAME(PARAMETER, ..., OPTION=DEFAULT, ...) { BODY }`.
    case def(name: String, nameSpan: SourceSpan, parameters: [String], options: [NamedExpr], body: [Stmt])
    case use(module: String, moduleSpan: SourceSpan)
    /// A call of a `def` function written like a command: `shrink 0.5`, `fit pico min_agreement=0.98`.
    case call(name: String, nameSpan: SourceSpan, arguments: [Expr], options: [NamedExpr])
  }

  /// The statement's shape.
  public var kind: Kind
  /// From the first token to the last, including any block.
  public var span: SourceSpan
}

/// A parsed source: its statements in order.
public struct Program: Sendable {
  /// Where the statements came from.
  public var source: SourceFile
  /// Top-level statements.
  public var statements: [Stmt]
}
