/// One lexical token of a `.jss` script.
public struct Token: Sendable, Equatable {
  /// What kind of token this is.
  public enum Kind: Sendable, Equatable {
    /// A name: a command, a variable, an option key, an enum word. May contain `-` and `_`.
    case identifier(String)
    /// A number literal, possibly with a unit suffix (`264KB`, `10ms`, `50%`).
    case number(Double, Unit)
    /// A string literal with escapes resolved.
    case string(String)
    /// An input pin, `sha256:<hex>`.
    case hashPin(String)
    /// A keyword of the language (`let`, `if`, `on`, ...).
    case keyword(Keyword)
    /// Punctuation or an operator.
    case symbol(Symbol)
    /// End of a line: statements end here unless inside brackets.
    case newline
    /// End of the source.
    case end
  }

  /// The token's kind and payload.
  public var kind: Kind
  /// Where it is in the source.
  public var span: SourceSpan
}

/// Reserved words. Prepositions are keywords so that `on`, `as`, ... never read as names.
public enum Keyword: String, Sendable, CaseIterable {
  case `let`, `if`, `else`, `for`, `in`, `def`, `use`, `return`
  case `true`, `false`, and, or, not
  case on, `as`, from, to, vs

  /// Words that introduce a command's prepositional argument.
  public static let prepositions: [Keyword] = [.on, .as, .from, .to, .for, .vs]
}

/// Punctuation and operators.
public enum Symbol: String, Sendable, CaseIterable {
  case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]"
  case leftBrace = "{", rightBrace = "}", comma = ",", dot = ".", colon = ":"
  case assign = "=", equal = "==", notEqual = "!=", less = "<", lessEqual = "<="
  case greater = ">", greaterEqual = ">=", plus = "+", minus = "-", star = "*", slash = "/"
  case bang = "!"
}

extension Token.Kind: CustomStringConvertible {
  /// How the token is named in error messages.
  public var description: String {
    switch self {
    case .identifier(let name): return "'\(name)'"
    case .number(let value, let unit): return "'\(ValueFormatter.number(value, unit: unit))'"
    case .string(let text): return "string \"\(text)\""
    case .hashPin: return "sha256 pin"
    case .keyword(let keyword): return "'\(keyword.rawValue)'"
    case .symbol(let symbol): return "'\(symbol.rawValue)'"
    case .newline: return "end of line"
    case .end: return "end of input"
    }
  }
}
