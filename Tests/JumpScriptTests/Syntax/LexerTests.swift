import Testing

@testable import JumpScript

/// The kinds of the tokens of `text`, without the final `.end`.
private func kinds(_ text: String) -> [Token.Kind] {
  let (tokens, _) = Lexer.tokenize(SourceFile(name: "t.jss", text: text))
  #expect(tokens.last?.kind == .end)
  return tokens.dropLast().map(\.kind)
}

private func diagnostics(_ text: String) -> [Diagnostic] {
  Lexer.tokenize(SourceFile(name: "t.jss", text: text)).diagnostics
}

@Suite struct LexerTests {
  @Test(arguments: [
    ("264B", 264.0, Unit.bytes), ("264KB", 264, .kilobytes), ("2MB", 2, .megabytes), ("1GB", 1, .gigabytes),
    ("10ms", 10, .milliseconds), ("1.5s", 1.5, .seconds), ("133MHz", 133, .megahertz), ("50%", 50, .percent),
    ("42", 42, Unit.none), ("0.25", 0.25, Unit.none), (".5", 0.5, Unit.none), ("1_000", 1000, Unit.none),
  ])
  func numbersWithUnits(text: String, value: Double, unit: Unit) {
    #expect(kinds(text) == [.number(value, unit)])
    #expect(diagnostics(text).isEmpty)
  }

  @Test func exponents() {
    #expect(kinds("1e-4") == [.number(1e-4, .none)])
    #expect(kinds("2.5E+3") == [.number(2500, .none)])
    #expect(kinds("3e2") == [.number(300, .none)])
  }

  @Test func unitsConvertToBaseUnits() {
    #expect(Quantity(literal: 264, unit: .kilobytes) == Quantity(270_336, .bytes))
    #expect(Quantity(literal: 10, unit: .milliseconds).value == 0.01)
    #expect(Quantity(literal: 50, unit: .percent) == Quantity(0.5))
    #expect(Quantity(literal: 133, unit: .megahertz) == Quantity(133e6, .frequency))
  }

  @Test func unknownUnitIsReportedWithASuggestion() throws {
    let found = diagnostics("let x = 5kb")
    let diagnostic = try #require(found.first)
    #expect(found.count == 1)
    #expect(diagnostic.message == "unknown unit 'kb'")
    #expect(diagnostic.hint == "did you mean 'KB'?")
    #expect(diagnostic.location == Location(line: 1, column: 10))
  }

  @Test func kebabIdentifiers() {
    #expect(kinds("target rpi-zero2") == [.identifier("target"), .identifier("rpi-zero2")])
    #expect(kinds("snake_case_2") == [.identifier("snake_case_2")])
    // Subtraction needs spaces; a trailing dash is not part of the name.
    #expect(kinds("a - b") == [.identifier("a"), .symbol(.minus), .identifier("b")])
    #expect(kinds("a- b") == [.identifier("a"), .symbol(.minus), .identifier("b")])
  }

  @Test func keywordsAndPrepositions() {
    #expect(
      kinds("let if else for in def use on as from to vs and or not true false")
        == [
          .keyword(.let), .keyword(.if), .keyword(.else), .keyword(.for), .keyword(.in), .keyword(.def),
          .keyword(.use), .keyword(.on), .keyword(.as), .keyword(.from), .keyword(.to), .keyword(.vs),
          .keyword(.and), .keyword(.or), .keyword(.not), .keyword(.true), .keyword(.false),
        ])
  }

  @Test func stringsWithEscapes() {
    #expect(kinds(#""a\"b\\c\nd\te""#) == [.string("a\"b\\c\nd\te")])
    #expect(kinds(#""""#) == [.string("")])
    #expect(kinds(#""héllo wörld""#) == [.string("héllo wörld")])
    #expect(diagnostics(#""a\tb""#).isEmpty)
  }

  @Test func unknownEscapeIsReported() throws {
    let found = diagnostics(#"load "a\qb.onnx""#)
    let diagnostic = try #require(found.first)
    #expect(diagnostic.message == #"unknown escape '\q'"#)
    #expect(diagnostic.location == Location(line: 1, column: 8))
  }

  @Test func unterminatedString() throws {
    let text = "load \"model.onnx\nseed 1"
    let found = diagnostics(text)
    let diagnostic = try #require(found.first)
    #expect(found.count == 1)
    #expect(diagnostic.message == "unterminated string")
    #expect(diagnostic.location == Location(line: 1, column: 6))
    #expect(diagnostic.hint != nil)
    // The next line still lexes.
    #expect(
      kinds(text) == [
        .identifier("load"), .string("model.onnx"), .newline, .identifier("seed"), .number(1, .none),
      ])
  }

  @Test func sha256Pins() {
    let hex = String(repeating: "ab", count: 32)
    #expect(
      kinds("load \"m.onnx\" sha256:\(hex.uppercased())") == [
        .identifier("load"), .string("m.onnx"), .hashPin(hex),
      ])
    #expect(diagnostics("sha256:\(hex)").isEmpty)
  }

  @Test func shortPinIsReported() throws {
    let found = diagnostics("load \"m.onnx\" sha256:abc123")
    let diagnostic = try #require(found.first)
    #expect(diagnostic.message == "a sha256 pin needs 64 hex digits, found 6")
    #expect(diagnostic.location == Location(line: 1, column: 15))
  }

  @Test func commentsAndTranscriptLinesAreSkipped() {
    let text = """
      # a comment
      seed 42  # trailing
      #= recorded output
      #! error: recorded
      report
      """
    #expect(
      kinds(text) == [
        .newline, .identifier("seed"), .number(42, .none), .newline, .newline, .newline,
        .identifier("report"),
      ])
  }

  @Test func newlinesInsideBracketsAreIgnored() {
    let text = "let xs = [1,\n  2,\n  3]\nf(1,\n 2)"
    #expect(
      kinds(text) == [
        .keyword(.let), .identifier("xs"), .symbol(.assign), .symbol(.leftBracket), .number(1, .none),
        .symbol(.comma), .number(2, .none), .symbol(.comma), .number(3, .none), .symbol(.rightBracket),
        .newline, .identifier("f"), .symbol(.leftParen), .number(1, .none), .symbol(.comma),
        .number(2, .none),
        .symbol(.rightParen),
      ])
  }

  @Test func newlinesInsideBracesAreStatementEnds() {
    #expect(kinds("{\n}") == [.symbol(.leftBrace), .newline, .symbol(.rightBrace)])
  }

  @Test func backslashContinuesALine() {
    #expect(kinds("seed \\\n 42") == [.identifier("seed"), .number(42, .none)])
  }

  @Test func operatorsAndSymbols() {
    #expect(
      kinds("== != <= >= < > = + - * / ! . , :")
        == [
          .symbol(.equal), .symbol(.notEqual), .symbol(.lessEqual), .symbol(.greaterEqual), .symbol(.less),
          .symbol(.greater), .symbol(.assign), .symbol(.plus), .symbol(.minus), .symbol(.star),
          .symbol(.slash),
          .symbol(.bang), .symbol(.dot), .symbol(.comma), .symbol(.colon),
        ])
  }

  @Test func unexpectedCharacterIsNamedAndSkipped() throws {
    let text = "seed 4 € 2"
    let found = diagnostics(text)
    let diagnostic = try #require(found.first)
    #expect(diagnostic.message == "unexpected character '€'")
    #expect(diagnostic.location == Location(line: 1, column: 8))
    #expect(kinds(text) == [.identifier("seed"), .number(4, .none), .number(2, .none)])
  }

  @Test func spansCoverTheTokenText() {
    let source = SourceFile(name: "t.jss", text: "load \"a.onnx\" as m")
    let (tokens, _) = Lexer.tokenize(source)
    #expect(tokens.dropLast().map { source.text(of: $0.span) } == ["load", "\"a.onnx\"", "as", "m"])
  }
}
