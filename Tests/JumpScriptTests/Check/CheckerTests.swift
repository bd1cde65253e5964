import Foundation
import Testing

@testable import JumpScript

/// `line:column: message` of each diagnostic.
private func summary(_ diagnostics: [Diagnostic]) -> [String] {
  diagnostics.map { "\($0.location?.description ?? "?"): \($0.message)" }
}

@Suite struct CheckerTests {
  let teacher = Repo.teacher
  let mlp = Repo.fixture("models/mlp.onnx")
  let operational = Repo.path("tutorials/data/operational.npz")

  @Test func threeMistakesOnThreeLinesGiveThreeDiagnostics() throws {
    let text = """
      load "\(teacher)" as teacher
      seed -1
      device box ram=1KB flash=1MB clock=1MHz fpus=true
      export "out/teacher.onnx" format=onxx
      report
      """
    let found = check(text)
    #expect(
      summary(found) == [
        "2:6: seed -1 is out of range (expected 0...2147483647)",
        "3:41: unknown option 'fpus' for 'device'",
        "4:34: unknown format 'onxx' (expected tflite, onnx, onnx-qdq)",
      ])
    #expect(found.map(\.hint) == [nil, "did you mean 'fpu'?", "did you mean 'onnx'?"])
    #expect(found.allSatisfy { $0.exitCode == .dataError && $0.severity == .error })
  }

  @Test func aCleanScriptHasNoDiagnostics() {
    let text = """
      use targets
      seed 42
      load "\(teacher)" as teacher
      dataset operational = "\(operational)"
      target pico
      let r = report
      if r.params > 1000 and target.ram < 1MB {
        report teacher
      }
      export "out/teacher.onnx"
      """
    #expect(summary(check(text)) == [])
  }

  @Test func assignmentNeedsADefinedVariable() {
    let found = check("let n = 0\nfor i in [1, 2] {\n  n = n + i\n}\nm = 1\n")
    #expect(summary(found) == ["5:1: unknown variable 'm'"])
  }

  @Test func unknownCommandTypo() throws {
    let found = check("load \"\(teacher)\"\nreprot\nexprot \"a.onnx\"")
    #expect(summary(found) == ["2:1: unknown command 'reprot'", "3:1: unknown command 'exprot'"])
    #expect(found.map(\.hint) == ["did you mean 'report'?", "did you mean 'export'?"])
  }

  @Test func unknownModelDatasetAndTargetNames() {
    let text = """
      use targets
      load "\(teacher)" as teacher
      report teachr
      let n = operational.samples
      target pcio
      target rpi-zero3
      """
    let found = check(text)
    #expect(
      summary(found) == [
        "3:8: unknown model 'teachr'", "4:9: unknown name 'operational'", "5:8: unknown target 'pcio'",
        "6:8: unknown target 'rpi-zero3'",
      ])
    #expect(
      found.map(\.hint) == [
        "did you mean 'teacher'?", nil, "did you mean 'pico'?", "did you mean 'rpi-zero2'?",
      ])
  }

  @Test func withoutUseTargetsPicoIsUnknown() {
    #expect(summary(check("target pico")) == ["1:8: unknown target 'pico'"])
    #expect(summary(check("use targets\ntarget pico\nlet r = pico.ram")) == [])
  }

  @Test func unknownModule() {
    let found = check("use target\nuse nosuch")
    #expect(summary(found) == ["1:5: unknown module 'target'", "2:5: unknown module 'nosuch'"])
    #expect(found.map(\.hint) == ["did you mean 'targets'?", "modules are pipelines, targets"])
  }

  @Test func missingInputFiles() {
    let found = check(
      """
      load "no/such/model.onnx"
      dataset d = "no/such/data.npz"
      """)
    #expect(
      summary(found) == [
        "1:6: no such file 'no/such/model.onnx'", "2:13: no such file 'no/such/data.npz'",
      ])
    #expect(found.allSatisfy { $0.exitCode == .noInput })
  }

  @Test func wrongFileExtension() {
    #expect(
      summary(check("load \"\(operational)\"")) == [
        "1:6: path '\(operational)' must end in .onnx"
      ])
  }

  @Test func aFileWrittenByAnEarlierExportIsNotMissing() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "never-\(UUID().uuidString)")
    let written = directory.appendingPathComponent("student.onnx").path
    let text = """
      load "\(teacher)" as teacher
      export "\(written)"
      load "\(written)" as again
      report again
      """
    #expect(summary(check(text)) == [])
    // Without the export, the same load is reported.
    #expect(summary(check("load \"\(written)\"")) == ["1:6: no such file '\(written)'"])
    #expect(!FileManager.default.fileExists(atPath: directory.path), "check must not run the export")
  }

  @Test func namesDeclaredByTheScriptAreKnown() {
    let text = """
      load "\(teacher)" as teacher
      load "\(mlp)"
      report mlp
      dataset ops = "\(operational)"
      let n = ops.samples + 1
      def describe(m) {
        report m
        let inner = m.params
        seed inner
      }
      describe(teacher)
      describe mlp
      for m in [teacher, mlp] {
        report m
      }
      report _
      report _1
      seed n
      """
    #expect(summary(check(text)) == [])
  }

  @Test func blockNamesGoOutOfScope() {
    let text = """
      for s in [1, 2] {
        let t = s
      }
      if true {
        let u = 1
      }
      def f(p) {
        seed p
      }
      seed s
      seed t
      seed u
      seed p
      """
    #expect(
      summary(check(text)) == [
        "10:6: unknown name 's'", "11:6: unknown name 't'", "12:6: unknown name 'u'",
        "13:6: unknown name 'p'",
      ])
  }

  @Test func namesAreKnownOnlyFromTheLineThatIntroducesThem() {
    let found = check("let a = b + 1\nlet b = 2\nlet c = b + 1")
    #expect(summary(found) == ["1:9: unknown name 'b'"])
  }

  @Test func functionArity() {
    let found = check("def f(a, b) {\n}\nf(1)\nf 1 2 3\nf(1, 2)")
    #expect(summary(found) == ["3:1: 'f' takes 2 argument(s), got 1", "4:1: 'f' takes 2 argument(s), got 3"])
  }

  @Test func functionOptionsAreChecked() {
    let found = check(
      "def f(a, by=2, plus=0) {\n  a * by + plus\n}\nf 1 by=3\nf 1 bye=3\nf(1, plus=1, plus=2)\nf 1 zzz=1")
    #expect(
      summary(found) == [
        "5:5: unknown option 'bye' for 'f'", "6:14: 'plus' is given twice",
        "7:5: unknown option 'zzz' for 'f'",
      ])
    #expect(found.first?.hint == "did you mean 'by'?")
    #expect(found.last?.hint == "options are by, plus")
  }

  @Test func mistypedCommandWithOptionsIsAnUnknownCommand() {
    let found = check("prnue 0.5 finetune=2")
    #expect(summary(found) == ["1:1: unknown command 'prnue'"])
    #expect(found.first?.hint == "did you mean 'prune'?")
  }

  @Test func commandNamesAreReserved() {
    #expect(summary(check("let report = 1")) == ["1:5: 'report' is a command and cannot be a variable name"])
    #expect(summary(check("def seed(n) {\n}")) == ["1:5: 'seed' is a command and cannot be redefined"])
  }

  @Test func constantArithmeticIsCheckedForDimensions() {
    let found = check("device d ram=1KB + 1ms flash=1MB clock=1MHz")
    #expect(summary(found) == ["1:14: cannot add a time to a size"])
  }

  @Test func syntaxAndCheckErrorsTogetherInSourceOrder() {
    let found = check("reprot\nlet = 1\nseed 1.5")
    #expect(
      summary(found) == [
        "1:1: unknown command 'reprot'", "2:5: expected a variable name, found '='",
        "3:6: seed must be a whole number, not 1.5",
      ])
  }

  @Test func aDeclaringCheckerChecksREPLCellsInContext() {
    var checker = Checker(stdlib: Repo.stdlib)
    checker.declare(
      models: ["teacher"], datasets: ["train"], devices: ["pico"], variables: ["r"], functions: ["f": 1])
    let found = checker.check(
      SourceFile(name: "<In[2]>", text: "report teacher\ntarget pico\nf(r)\nlet n = train.samples"))
    #expect(found.isEmpty)
    let typo = checker.check(SourceFile(name: "<In[3]>", text: "report teachre"))
    #expect(typo.map(\.headline) == ["<In[3]>:1:8: error: unknown model 'teachre'"])
  }
}
