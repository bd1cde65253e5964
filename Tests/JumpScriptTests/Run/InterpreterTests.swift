import Foundation
import Testing

@testable import JumpScript

/// The display text of a one-statement expression in a fresh session.
private func show(_ text: String) throws(Diagnostic) -> String {
  try TestSession().display(text)
}

/// The message of the failure of `text` in a fresh session.
private func failure(_ text: String) -> String? {
  TestSession().failure(text)?.message
}

/// A cancellation flag tests can raise between statements.
private final class CancelFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var raised = false
  func raise() { lock.withLock { raised = true } }
  var isRaised: Bool { lock.withLock { raised } }
}

@Suite struct ArithmeticTests {
  @Test func unitsConvertAndDisplayReadably() throws {
    #expect(try show("264KB + 8KB") == "272 KB")
    #expect(try show("2 * 64KB") == "128 KB")
    #expect(try show("1MB == 1024KB") == "true")
    #expect(try show("1MB / 256KB") == "4")
    #expect(try show("1s / 10ms") == "100")
    #expect(try show("10ms") == "10 ms")
    #expect(try show("250us * 2") == "500 us")
    #expect(try show("1.5s") == "1.5 s")
    #expect(try show("133MHz") == "133 MHz")
    #expect(try show("1GB / 2") == "512 MB")
    #expect(try show("50% * 200") == "100")
    #expect(try show("-1KB") == "-1 KB")
    #expect(try show("7 / 2") == "3.5")
    #expect(try show("1e-4 * 2") == "0.0002")
    #expect(try show("10 - 4 - 3") == "3")
    #expect(try show("(1 + 2) * 3") == "9")
  }

  @Test func dimensionErrors() {
    #expect(failure("1KB + 1ms") == "cannot add a time to a size")
    #expect(failure("1KB - 1ms") == "cannot subtract a time from a size")
    #expect(failure("1KB * 1KB") == "cannot multiply a size by a size")
    #expect(failure("1 / 1KB") == "cannot divide a number by a size")
    #expect(failure("1KB < 1ms") == "cannot compare a size with a time")
    #expect(failure("1 / 0") == "division by zero")
    #expect(failure("1KB + 1") == "cannot add a number to a size")
    #expect(failure("-\"a\"") == "cannot negate a string")
    #expect(failure("not 1") == "'not' needs a boolean, not a number")
    #expect(failure("true * 2") == "cannot apply '*' to a boolean and a number")
  }

  @Test func errorsPointAtTheOperation() throws {
    let diagnostic = try #require(TestSession().failure("let x = 1 + (1KB + 1ms)"))
    // The parenthesised operation, parentheses included.
    #expect(diagnostic.location == Location(line: 1, column: 13))
    #expect(diagnostic.exitCode == .failure)
  }

  @Test func stringConcatenation() throws {
    #expect(try show(#""pruned_" + 0.5"#) == "pruned_0.5")
    #expect(try show(#"1 + "a""#) == "1a")
    #expect(try show(#""a" + "b" + "c""#) == "abc")
    #expect(try show(#""ram " + 264KB"#) == "ram 264 KB")
    #expect(try show(#""ok " + true"#) == "ok true")
    #expect(try show("[1, 2] + [3]") == "[1, 2, 3]")
  }

  @Test func comparisons() throws {
    #expect(try show("1 < 2") == "true")
    #expect(try show("2 <= 2") == "true")
    #expect(try show("2 > 3") == "false")
    #expect(try show("3 >= 2") == "true")
    #expect(try show("1 != 2") == "true")
    #expect(try show(#""a" < "b""#) == "true")
    #expect(try show(#""x" == "x""#) == "true")
    #expect(try show(#"1 == "1""#) == "false")
    #expect(try show("[1, 2] == [1, 2]") == "true")
    #expect(try show("[1, 2] == [2, 1]") == "false")
    #expect(try show("264KB > 200KB") == "true")
    #expect(failure(#"1 < "a""#) == "cannot compare a number with a string")
  }

  @Test func andOrShortCircuit() throws {
    #expect(try show("false and nothing_here") == "false")
    #expect(try show("true or nothing_here") == "true")
    #expect(try show("true and false") == "false")
    #expect(try show("false or true") == "true")
    #expect(try show("not false and true") == "true")
    #expect(failure("true and nothing_here") == "unknown name 'nothing_here'")
    #expect(failure("1 and true") == "'and' needs booleans, not a number")
    #expect(failure("true or 1") == nil)
    #expect(failure("false or 1") == "'or' needs booleans, not boolean and number")
  }

  @Test func lists() throws {
    #expect(try show(#"[1, "a", true, 2KB]"#) == #"[1, "a", true, 2 KB]"#)
    #expect(try show("[1, 2, 3].count") == "3")
    #expect(try show("[]") == "[]")
  }
}

@Suite struct StatementTests {
  @Test func letBindsAndRebinds() throws {
    let session = TestSession()
    try session.run("let x = 1\nlet x = x + 1\nlet y = x * 10")
    #expect(try session.display("y") == "20")
    #expect(session.printed == ["20"])
  }

  @Test func forRunsTheBodyForEachElement() throws {
    let session = TestSession()
    try session.run("for s in [0.3, 0.5, 0.7] {\n  \"pruned_\" + s\n}")
    #expect(session.printed == ["pruned_0.3", "pruned_0.5", "pruned_0.7"])
    #expect(session.failure("s")?.message == "unknown name 's'")
  }

  @Test func forNeedsAList() {
    #expect(failure("for s in 3 {\n}") == "'for' needs a list, not a number")
  }

  @Test func blocksScopeTheirLets() throws {
    let session = TestSession()
    try session.run(
      """
      let total = 0
      for s in [1, 2, 3] {
        let total = total + s
        let inner = total
        inner
      }
      if true {
        let hidden = 1
      }
      """)
    // `let` in a block binds in the block: it shadows the outer name.
    #expect(session.printed == ["1", "2", "3"])
    #expect(try session.display("total") == "0")
    #expect(session.failure("inner")?.message == "unknown name 'inner'")
    #expect(session.failure("hidden")?.message == "unknown name 'hidden'")
  }

  @Test func assignmentRebindsWhereTheVariableLives() throws {
    let session = TestSession()
    try session.run(
      """
      let total = 0
      for s in [1, 2, 3] {
        total = total + s
      }
      def bump(by) {
        total = total + by
      }
      bump(10)
      """)
    #expect(try session.display("total") == "16")
    #expect(session.failure("missing = 1")?.message == "unknown variable 'missing'")
  }

  @Test func ifElseIfElse() throws {
    let session = TestSession()
    let program = """
      if x > 10 {
        "big"
      } else if x > 5 {
        "medium"
      } else {
        "small"
      }
      """
    for x in [20, 7, 1] {
      try session.run("let x = \(x)\n" + program)
    }
    #expect(session.printed == ["big", "medium", "small"])
    #expect(session.failure("if 1 {\n}")?.message == "a condition must be true or false, not a number")
  }

  @Test func defCallsSeeParametersAndGlobalsButNotTheCallersLocals() throws {
    let session = TestSession()
    try session.run(
      """
      let greeting = "hi "
      def greet(name) {
        greeting + name
      }
      greet("ann")
      greet bob
      def leak() {
        s
      }
      """)
    #expect(session.printed == ["hi ann", "hi bob"])
    #expect(session.failure("for s in [1] {\n  leak()\n}")?.message == "unknown name 's'")
    #expect(session.failure("name")?.message == "unknown name 'name'")
  }

  @Test func functionsReturnNothingAndLetsInsideStayInside() throws {
    let session = TestSession()
    try session.run("def f(a) {\n  let b = a * 2\n  b\n}\nf(4)")
    #expect(session.printed == ["8"])
    #expect(session.state.lastResult == nil)
    #expect(session.failure("b")?.message == "unknown name 'b'")
  }

  @Test func functionArityErrors() throws {
    let session = TestSession()
    try session.run("def pair(a, b) {\n}")
    let tooFew = try #require(session.failure("pair(1)"))
    #expect(tooFew.message == "'pair' takes 2 argument(s), got 1")
    #expect(tooFew.hint == "pair A B")
    #expect(session.failure("pair 1 2 3")?.message == "'pair' takes 2 argument(s), got 3")
    #expect(session.failure("pair(1, 2)") == nil)
  }

  @Test func functionOptionsTakeTheirDefaultsUnlessGiven() throws {
    let session = TestSession()
    try session.run(
      """
      def scale(x, by=2, plus=by * 10) {
        x * by + plus
      }
      scale 1
      scale 1 by=3
      scale(1, plus=0)
      scale 1 plus=1 by=5
      """)
    #expect(session.printed == ["22", "33", "2", "6"])
    #expect(session.failure("by")?.message == "unknown name 'by'")
  }

  @Test func functionOptionMistakesNameTheOptions() throws {
    let session = TestSession()
    try session.run("def scale(x, by=2, plus=0) {\n}")
    let typo = try #require(session.failure("scale 1 bye=3"))
    #expect(typo.message == "unknown option 'bye' for 'scale'")
    #expect(typo.hint == "did you mean 'by'?")
    let unknown = try #require(session.failure("scale 1 zzz=3"))
    #expect(unknown.hint == "options are by, plus")
    #expect(session.failure("scale 1 by=1 by=2")?.message == "'by' is given twice")
    try session.run("def plain(x) {\n}")
    #expect(session.failure("plain 1 by=1")?.hint == "'plain' has no options")
  }

  @Test func functionHelpShowsUsageDocumentationAndOptionDefaults() throws {
    let session = TestSession()
    try session.run("# Scales a number.\n#\n# by: the factor\ndef scale(x, by=2, plus=0KB) {\n}")
    let function = try #require(session.state.functions["scale"])
    #expect(function.usage == "scale X [by=2] [plus=0KB]")
    #expect(try session.display("scale") == "def scale(x, by=2, plus=0KB)")
    let lines = function.helpText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.first == "scale X [by=2] [plus=0KB]")
    #expect(lines.contains("  Scales a number."))
    #expect(lines.contains("  by: the factor"))
    #expect(lines.contains("options:"))
    #expect(lines.contains { $0.hasPrefix("  by ") && $0.hasSuffix("default 2") })
    #expect(lines.contains { $0.hasPrefix("  plus ") && $0.hasSuffix("default 0KB") })
  }

  @Test func unknownFunctionsAndCommands() throws {
    let session = TestSession()
    let call = try #require(session.failure("reprot teacher"))
    #expect(call.message == "unknown command 'reprot'")
    #expect(call.hint == "did you mean 'report'?")
    let bare = try #require(session.failure("reprot"))
    #expect(bare.hint == "did you mean 'report'?")
    #expect(session.failure("def report() {\n}")?.message == "'report' is a command and cannot be redefined")
  }

  @Test func runawayRecursionStops() {
    #expect(failure("def f() {\n  f()\n}\nf()") == "functions nest deeper than 64 calls")
  }

  @Test func underscoreNamesPreviousResults() throws {
    let session = TestSession()
    try session.run("1 + 1")  // statement 1
    try session.run("_ * 10")  // statement 2
    try session.run("let unused = 5")  // statement 3: no result
    #expect(try session.display("_") == "20")
    #expect(try session.display("_1") == "2")
    #expect(try session.display("_2 + _1") == "22")
    let missing = try #require(session.failure("_3"))
    #expect(missing.message == "unknown name '_3'")
    #expect(missing.hint == "no result is numbered 3")
  }

  @Test func modelAndTargetNeedSomethingFirst() throws {
    let noModel = try #require(TestSession().failure("model.params"))
    #expect(noModel.message == "no model is loaded")
    let noTarget = try #require(TestSession().failure("target.ram"))
    #expect(noTarget.message == "no target is selected")
    #expect(noTarget.hint == "select one first: use targets, then target pico")
  }

  @Test func unknownNamesSuggestCloseOnes() throws {
    let session = TestSession()
    try session.run("let sparsity = 0.5")
    let typo = try #require(session.failure("sparsty * 2"))
    #expect(typo.message == "unknown name 'sparsty'")
    #expect(typo.hint == "did you mean 'sparsity'?")
    #expect(session.failure("a-b")?.hint == "to subtract, put spaces around '-'")
  }
}

@Suite struct SessionSemanticsTests {
  @Test func aFailedStatementLeavesTheStateUnchanged() throws {
    let session = TestSession()
    try session.run("seed 7")
    let before = session.state
    let failed = session.failure(
      """
      for s in [1, 2, "x"] {
        seed s
        load "\(Repo.fixture("models/mlp.onnx"))"
      }
      """)
    #expect(failed?.message == "seed must be a whole number, not a string")
    #expect(session.state.seed == 7)
    #expect(session.state.models.isEmpty)
    #expect(session.state.results.count == before.results.count)
    #expect(session.state.lastResult == nil)
  }

  @Test func aFailedFunctionCallLeavesTheStateUnchanged() throws {
    let session = TestSession()
    try session.run("def f() {\n  seed 3\n  seed -1\n}")
    #expect(session.failure("f()")?.message == "seed -1 is out of range (expected 0...2147483647)")
    #expect(session.state.seed == nil)
  }

  @Test func undoRestoresTheStateBeforeTheLastStatement() throws {
    let session = TestSession()
    try session.run("seed 1")
    try session.run("seed 2")
    #expect(session.failure("seed -5") != nil)
    #expect(session.state.seed == 2)
    #expect(session.interpreter.undo())
    #expect(session.state.seed == 1)
    #expect(session.interpreter.undo())
    #expect(session.state.seed == nil)
    #expect(!session.interpreter.undo())
  }

  @Test func interruptionStopsWithStatus130AndKeepsTheState() throws {
    let flag = CancelFlag()
    let session = TestSession(isCancelled: { flag.isRaised })
    try session.run("seed 1")
    flag.raise()
    let interrupted = try #require(session.failure("seed 2"))
    #expect(interrupted.message == "interrupted")
    #expect(interrupted.exitCode == .interrupted)
    #expect(interrupted.exitCode.rawValue == 130)
    #expect(session.state.seed == 1)
  }

  @Test func interruptionInsideALoopStopsTheLoop() throws {
    let flag = CancelFlag()
    let session = TestSession(isCancelled: { flag.isRaised })
    session.interpreter.onResult = { value in
      if ValueFormatter.display(value) == "2" { flag.raise() }
    }
    let interrupted = try #require(session.failure("for s in [1, 2, 3, 4] {\n  s\n}"))
    #expect(interrupted.exitCode == .interrupted)
  }

  @Test func aScriptRunnerReportsInterruptionAs130() {
    let interpreter = Interpreter(
      environment: RunEnvironment(stdlibDirectory: Repo.stdlib, isCancelled: { true }))
    var errors: [String] = []
    let runner = ScriptRunner(interpreter: interpreter, out: { _ in }, err: { errors.append($0) })
    let summary = runner.run(SourceFile(name: "t.jss", text: "seed 1\nseed 2\n"), options: .init(mode: .run))
    #expect(summary.exitCode == .interrupted)
    #expect(summary.exitCode.rawValue == 130)
    #expect(errors.first?.contains("interrupted") == true)
  }
}
