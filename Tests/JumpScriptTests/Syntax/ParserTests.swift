import Testing

@testable import JumpScript

/// The tree of a source that must parse without errors.
private func tree(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
  let (program, diagnostics) = parse(text)
  #expect(diagnostics.map(\.headline) == [], sourceLocation: sourceLocation)
  return AST.describe(program.statements)
}

/// The `line:column: message` of each syntax error, in order.
private func errors(_ text: String) -> [String] {
  parse(text).diagnostics.map { "\($0.location?.description ?? "?"): \($0.message)" }
}

@Suite struct ParserTests {
  @Test func commandsWithPositionalsAndOptions() {
    #expect(tree("seed 42") == "(command seed 42)")
    #expect(tree("report") == "(command report)")
    #expect(tree("report teacher") == "(command report teacher)")
    #expect(
      tree(#"device box ram=512KB flash=4MB clock=240MHz fpu=true summary="a box""#)
        == #"(command device box ram=512KB flash=4MB clock=240MHz fpu=true summary="a box")"#)
  }

  @Test func prepositions() {
    #expect(tree(#"load "a.onnx" as teacher"#) == #"(command load "a.onnx" as:teacher)"#)
    #expect(tree(#"export "o.onnx" from teacher"#) == #"(command export "o.onnx" from:teacher)"#)
    // The parser accepts every preposition; the binder decides which a command takes.
    #expect(
      tree(#"report on train to "r.md" for pico vs teacher"#)
        == #"(command report on:train to:"r.md" for:pico vs:teacher)"#)
  }

  @Test func optionValuesAreExpressions() {
    #expect(tree("seed 40 + 2") == "(command seed (+ 40 2))")
    #expect(
      tree("device d ram=2 * 64KB flash=1MB clock=1MHz")
        == "(command device d ram=(* 2 64KB) flash=1MB clock=1MHz)")
  }

  @Test func sha256Pin() {
    let hex = String(repeating: "0f", count: 32)
    #expect(tree("load \"m.onnx\" sha256:\(hex)") == #"(command load "m.onnx" pin:0f0f0f0f)"#)
  }

  @Test func bindingCommand() {
    #expect(tree(#"dataset train = "train.npz""#) == #"(command dataset train= "train.npz")"#)
  }

  @Test func bindingCommandWithoutEqualsIsAnError() {
    #expect(
      errors(#"dataset train "train.npz""#) == [
        #"1:15: expected '=' after 'train' (write `dataset train = PATH`), found string "train.npz""#
      ])
  }

  @Test func assignment() {
    #expect(tree("x = x + 1") == "(set x (+ x 1))")
  }

  @Test func letWithACommand() {
    #expect(tree("let r = report") == "(let r (command report))")
    #expect(tree("let r = report teacher") == "(let r (command report teacher))")
    #expect(tree("let x = 1 + 2") == "(let x (+ 1 2))")
  }

  @Test func aCommandWordFollowedByAnOperatorIsAnExpression() {
    // A variable that happens to share a command's name is read, not run.
    #expect(tree("report.params") == "report.params")
    #expect(tree("seed == 4") == "(== seed 4)")
  }

  @Test func ifElseIfElse() {
    let text = """
      if x > 1 {
        seed 1
      } else if x > 0 {
        seed 2
      } else {
        seed 3
      }
      """
    #expect(
      tree(text)
        == "(if (> x 1) {(command seed 1)} else {(if (> x 0) {(command seed 2)} else {(command seed 3)})})")
  }

  @Test func elseMayStartTheNextLine() {
    #expect(
      tree("if a {\n  seed 1\n}\nelse {\n  seed 2\n}") == "(if a {(command seed 1)} else {(command seed 2)})")
  }

  @Test func forIn() {
    #expect(
      tree("for s in [0.3, 0.5, 0.7] {\n  seed s\n}") == "(for s [0.3 0.5 0.7] {(command seed s)})")
  }

  @Test func defWithParametersAndCalls() {
    let text = """
      def shrink(sparsity, precision) {
        seed sparsity
        report
      }
      shrink 0.5 int8
      shrink(0.5, int8)
      def noop() {
      }
      """
    #expect(
      tree(text)
        == "(def shrink(sparsity,precision) {(command seed sparsity) (command report)}) (call shrink 0.5 int8) shrink(0.5 int8) (def noop() {})"
    )
  }

  @Test func duplicateParameterIsAnError() {
    #expect(errors("def f(a, a) {\n}") == ["1:10: parameter 'a' appears twice"])
    #expect(errors("def f(a, b=1, a=2) {\n}") == ["1:15: parameter 'a' appears twice"])
  }

  @Test func defOptionsHaveDefaultsAndCallsPassThemLikeCommandOptions() {
    let text = """
      def fit(device, min_agreement=97%, max_drop=false) {
      }
      fit pico min_agreement=0.98
      fit(pico, max_drop=1, min_agreement=0.9)
      """
    #expect(
      tree(text)
        == "(def fit(device,min_agreement=97%,max_drop=false) {}) (call fit pico min_agreement=0.98) fit(pico max_drop=1 min_agreement=0.9)"
    )
  }

  @Test func optionsComeAfterParameters() {
    #expect(
      errors("def f(a=1, b) {\n}") == ["1:12: parameter 'b' has no default but follows the option 'a'"])
    #expect(errors("def f(a=) {\n}") == ["1:9: expected a default value after 'a='"])
    #expect(errors("f x=1 2") == ["1:7: a positional argument after the option 'x='"])
    #expect(errors("f(x=1, 2)") == ["1:8: a positional argument after the option 'x='"])
  }

  @Test func use() {
    #expect(tree("use targets") == "(use targets)")
    #expect(tree(#"use "lib/mine.jss""#) == "(use lib/mine.jss)")
  }

  @Test func fieldAccess() {
    #expect(tree("r.peak_ram > target.ram") == "(> r.peak_ram target.ram)")
    #expect(tree("a.b.c") == "a.b.c")
  }

  @Test func precedence() {
    #expect(tree("1 + 2 * 3") == "(+ 1 (* 2 3))")
    #expect(tree("(1 + 2) * 3") == "(* (+ 1 2) 3)")
    #expect(tree("10 - 4 - 3") == "(- (- 10 4) 3)")
    #expect(tree("8 / 4 / 2") == "(/ (/ 8 4) 2)")
    #expect(tree("-2 * 3") == "(* (- 2) 3)")
    #expect(tree("a or b and c") == "(or a (and b c))")
    #expect(tree("not a and b") == "(and (not a) b)")
    #expect(tree("!a") == "(not a)")
    #expect(tree("1 + 1 == 2 and 3 < 4 or false") == "(or (and (== (+ 1 1) 2) (< 3 4)) false)")
  }

  @Test func oneLineBlocks() {
    #expect(tree("if x { seed 1 } else { seed 2 }") == "(if x {(command seed 1)} else {(command seed 2)})")
    #expect(tree("for s in [1, 2] { seed s }") == "(for s [1 2] {(command seed s)})")
    #expect(tree("def f(a) { seed a }") == "(def f(a) {(command seed a)})")
    #expect(tree("if x { }") == "(if x {})")
  }

  @Test func listsMaySpanLines() {
    #expect(tree("let xs = [\n  1,\n  2,\n]") == "(let xs [1 2])")
  }

  @Test func statementSpansCoverTheWholeStatement() throws {
    let source = SourceFile(name: "t.jss", text: "seed 1\nload \"a.onnx\" as m  # c\nif x {\n  seed 2\n}\n")
    let (program, _) = Parser.parse(source, syntax: CommandRegistry.standard.syntax)
    #expect(
      program.statements.map { source.text(of: $0.span) } == [
        "seed 1", "load \"a.onnx\" as m", "if x {\n  seed 2\n}",
      ])
  }

  @Test func errorRecoveryReportsEveryBadLine() {
    let text = """
      let = 5
      seed 1
      if x seed 2
      let y = 1 +
      report
      """
    let (program, diagnostics) = parse(text)
    #expect(
      diagnostics.map { "\($0.location!): \($0.message)" } == [
        "1:5: expected a variable name, found '='",
        "3:6: expected '{' to start the if body, found 'seed'",
        "4:12: expected a value after '+'",
      ])
    #expect(AST.describe(program.statements) == "(command seed 1) (command report)")
    #expect(diagnostics.allSatisfy { $0.exitCode == .dataError })
  }

  @Test func errorsInsideBlocksDoNotLoseTheBlock() {
    let text = "for s in [1] {\n  let = 2\n  seed s\n}\nreport"
    let (program, diagnostics) = parse(text)
    #expect(diagnostics.map(\.message) == ["expected a variable name, found '='"])
    #expect(AST.describe(program.statements) == "(for s [1] {(command seed s)}) (command report)")
  }

  @Test func structuralErrors() {
    #expect(errors("else {\n}") == ["1:1: 'else' without 'if'"])
    #expect(errors("seed 1\n}") == ["2:1: unmatched '}'"])
    #expect(errors("if x {\n  seed 1\n") == ["1:6: missing '}' to close the if body"])
    #expect(errors("let if = 1") == ["1:5: 'if' is a reserved word and cannot be a variable name"])
    #expect(errors("let x = 1 2") == ["1:11: unexpected '2' after the statement"])
    #expect(errors("seed 1 2 )") == ["1:10: expected a value, found ')'"])
    #expect(errors("f(1, 2") == ["1:7: expected ')' to close the argument list of 'f', found end of input"])
    #expect(errors("load \"a.onnx\" as") == ["1:17: expected a value after 'as'"])
    #expect(errors("device d ram=") == ["1:14: expected a value after 'ram='"])
  }

  @Test func lexicalAndSyntaxErrorsComeInSourceOrder() {
    #expect(
      errors("let = 1\nlet s = \"open\nseed 5kb") == [
        "1:5: expected a variable name, found '='", "2:9: unterminated string", "3:7: unknown unit 'kb'",
      ])
  }

  @Test func needsMoreInput() {
    #expect(Parser.needsMoreInput("if x {"))
    #expect(Parser.needsMoreInput("def f(a) {\n  seed a"))
    #expect(Parser.needsMoreInput("for s in [1, 2] {\n  if s > 1 {\n  }"))
    #expect(Parser.needsMoreInput("seed \\"))
    #expect(!Parser.needsMoreInput("if x {\n  seed 1\n}"))
    #expect(!Parser.needsMoreInput("seed 1"))
    #expect(!Parser.needsMoreInput("let s = \"{\""))
    #expect(!Parser.needsMoreInput("seed 1  # {"))
    #expect(!Parser.needsMoreInput(""))
  }
}
