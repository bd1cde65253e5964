/// Turns script text into tokens.
///
/// Newlines are tokens (statements end at them) except inside `(` and `[`, where a list or
/// call may span lines. `#` starts a comment to the end of the line; transcript lines (`#=`,
/// `#!`) are comments too, read separately by ``Transcript``.
public struct Lexer {
  private let source: SourceFile
  private var position = 0
  private var bracketDepth = 0
  private(set) var diagnostics: [Diagnostic] = []

  /// Creates a lexer over a source.
  public init(source: SourceFile) {
    self.source = source
  }

  /// Lexes the whole source. Malformed tokens become diagnostics and are skipped.
  public static func tokenize(_ source: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
    var lexer = Lexer(source: source)
    var tokens: [Token] = []
    while true {
      let token = lexer.next()
      tokens.append(token)
      if token.kind == .end { break }
    }
    return (tokens, lexer.diagnostics)
  }

  private var bytes: [UInt8] { source.bytes }

  private func peek(_ offset: Int = 0) -> UInt8? {
    let index = position + offset
    return index < bytes.count ? bytes[index] : nil
  }

  /// Returns the next token.
  public mutating func next() -> Token {
    skipSpaceAndComments()
    let start = position
    guard let byte = peek() else { return Token(kind: .end, span: SourceSpan(start: start, end: start)) }
    if byte == UInt8(ascii: "\n") {
      position += 1
      return Token(kind: .newline, span: SourceSpan(start: start, end: position))
    }
    if Lexer.isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(Lexer.isDigit) == true) {
      return number(from: start)
    }
    if Lexer.isIdentifierStart(byte) { return word(from: start) }
    if byte == UInt8(ascii: "\"") { return string(from: start) }
    return symbol(from: start)
  }

  private mutating func skipSpaceAndComments() {
    while let byte = peek() {
      if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
        position += 1
      } else if byte == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "\n") {
        position += 2  // explicit line continuation
      } else if byte == UInt8(ascii: "\n") && bracketDepth > 0 {
        position += 1
      } else if byte == UInt8(ascii: "#") {
        while let next = peek(), next != UInt8(ascii: "\n") { position += 1 }
      } else {
        return
      }
    }
  }

  private mutating func number(from start: Int) -> Token {
    while let byte = peek(), Lexer.isDigit(byte) || byte == UInt8(ascii: "_") { position += 1 }
    if peek() == UInt8(ascii: "."), peek(1).map(Lexer.isDigit) == true {
      position += 1
      while let byte = peek(), Lexer.isDigit(byte) { position += 1 }
    }
    if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      let signOffset = (peek(1) == UInt8(ascii: "-") || peek(1) == UInt8(ascii: "+")) ? 2 : 1
      if peek(signOffset).map(Lexer.isDigit) == true {
        position += signOffset
        while let byte = peek(), Lexer.isDigit(byte) { position += 1 }
      }
    }
    let literal = String(decoding: bytes[start..<position], as: UTF8.self)
      .replacingOccurrences(of: "_", with: "")
    let value = Double(literal) ?? 0
    let suffixStart = position
    if peek() == UInt8(ascii: "%") {
      position += 1
      return Token(kind: .number(value, .percent), span: SourceSpan(start: start, end: position))
    }
    while let byte = peek(), Lexer.isLetter(byte) { position += 1 }
    let suffix = String(decoding: bytes[suffixStart..<position], as: UTF8.self)
    if suffix.isEmpty {
      return Token(kind: .number(value, .none), span: SourceSpan(start: start, end: position))
    }
    guard let unit = Unit.suffix(suffix) else {
      let known = Unit.allCases.filter { $0 != .none }.map(\.rawValue)
      var diagnostic = Diagnostic(
        .error, "unknown unit '\(suffix)'", file: source,
        span: SourceSpan(start: suffixStart, end: position))
      diagnostic.hint =
        Suggestion.closest(to: suffix, in: known).map { "did you mean '\($0)'?" }
        ?? "units are \(known.joined(separator: " "))"
      diagnostics.append(diagnostic)
      return Token(kind: .number(value, .none), span: SourceSpan(start: start, end: position))
    }
    return Token(kind: .number(value, unit), span: SourceSpan(start: start, end: position))
  }

  private mutating func word(from start: Int) -> Token {
    position += 1
    while let byte = peek() {
      if Lexer.isIdentifierPart(byte) {
        position += 1
      } else if byte == UInt8(ascii: "-"), let after = peek(1), Lexer.isLetter(after) || Lexer.isDigit(after)
      {
        position += 1  // kebab-case names such as `rpi-zero2`; subtraction needs spaces
      } else {
        break
      }
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    if text == "sha256", peek() == UInt8(ascii: ":") {
      position += 1
      let hexStart = position
      while let byte = peek(), Lexer.isHexDigit(byte) { position += 1 }
      let hex = String(decoding: bytes[hexStart..<position], as: UTF8.self).lowercased()
      if hex.count != 64 {
        diagnostics.append(
          Diagnostic(
            .error, "a sha256 pin needs 64 hex digits, found \(hex.count)", file: source,
            span: SourceSpan(start: start, end: position)))
      }
      return Token(kind: .hashPin(hex), span: SourceSpan(start: start, end: position))
    }
    let kind: Token.Kind = Keyword(rawValue: text).map { .keyword($0) } ?? .identifier(text)
    return Token(kind: kind, span: SourceSpan(start: start, end: position))
  }

  private mutating func string(from start: Int) -> Token {
    position += 1
    var scalars: [UInt8] = []
    while let byte = peek(), byte != UInt8(ascii: "\"") {
      if byte == UInt8(ascii: "\n") { break }
      if byte == UInt8(ascii: "\\"), let escaped = peek(1) {
        switch escaped {
        case UInt8(ascii: "n"): scalars.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "t"): scalars.append(UInt8(ascii: "\t"))
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): scalars.append(escaped)
        default:
          diagnostics.append(
            Diagnostic(
              .error, "unknown escape '\\\(Character(UnicodeScalar(escaped)))'", file: source,
              span: SourceSpan(start: position, end: position + 2)))
        }
        position += 2
        continue
      }
      scalars.append(byte)
      position += 1
    }
    if peek() == UInt8(ascii: "\"") {
      position += 1
    } else {
      var diagnostic = Diagnostic(
        .error, "unterminated string", file: source, span: SourceSpan(start: start, end: position))
      diagnostic.hint = "close it with \" on the same line"
      diagnostics.append(diagnostic)
    }
    let text = String(decoding: scalars, as: UTF8.self)
    return Token(kind: .string(text), span: SourceSpan(start: start, end: position))
  }

  private mutating func symbol(from start: Int) -> Token {
    let pairs: [(String, Symbol)] = [
      ("==", .equal), ("!=", .notEqual), ("<=", .lessEqual), (">=", .greaterEqual),
    ]
    for (text, symbol) in pairs where matches(text) {
      position += 2
      return Token(kind: .symbol(symbol), span: SourceSpan(start: start, end: position))
    }
    let byte = bytes[position]
    position += 1
    guard let symbol = Symbol(rawValue: String(UnicodeScalar(byte))) else {
      // Skip the whole UTF-8 sequence so the message names the character.
      while let next = peek(), next & 0xC0 == 0x80 { position += 1 }
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      diagnostics.append(
        Diagnostic(
          .error, "unexpected character '\(text)'", file: source,
          span: SourceSpan(start: start, end: position)))
      return next()
    }
    switch symbol {
    case .leftParen, .leftBracket: bracketDepth += 1
    case .rightParen, .rightBracket: bracketDepth = max(0, bracketDepth - 1)
    default: break
    }
    return Token(kind: .symbol(symbol), span: SourceSpan(start: start, end: position))
  }

  private func matches(_ text: String) -> Bool {
    for (offset, byte) in text.utf8.enumerated() where peek(offset) != byte { return false }
    return true
  }

  static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
  static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 97 && (byte | 0x20) <= 122 }
  static func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || ((byte | 0x20) >= 97 && (byte | 0x20) <= 102)
  }
  static func isIdentifierStart(_ byte: UInt8) -> Bool { isLetter(byte) || byte == UInt8(ascii: "_") }
  static func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }
}
