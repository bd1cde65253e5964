import Testing

@testable import JumpScript

/// Binds the single command statement of `text` the way `check` does, with `teacher` a known model.
private func bind(_ text: String) throws -> (arguments: BoundArguments, problems: [String]) {
  let source = SourceFile(name: "t.jss", text: text)
  let (program, syntaxErrors) = Parser.parse(source, syntax: CommandRegistry.standard.syntax)
  #expect(syntaxErrors.isEmpty)
  guard case .command(let call)? = program.statements.first?.kind else {
    throw Diagnostic(.error, "not a command: \(text)")
  }
  let signature = try #require(CommandRegistry.standard.signature(call.name))
  var scope = StaticScope()
  scope.models = ["teacher"]
  let binder = ArgumentBinder(signature: signature, file: source) { (expr, parameter) throws(Diagnostic) in
    try StaticEvaluator(scope: scope).argument(expr, for: parameter, source)
  }
  let (arguments, problems) = binder.bind(call)
  return (
    arguments,
    problems.map { "\($0.location?.column ?? 0): \($0.message)" + ($0.hint.map { " | \($0)" } ?? "") }
  )
}

@Suite struct ArgumentBinderTests {
  let device = "device d ram=1KB flash=1MB clock=1MHz"

  @Test func bindsPositionalsOptionsPrepositionsAndDefaults() throws {
    let (arguments, problems) = try bind(device + " fpu=true int8_macs=2")
    #expect(problems == [])
    #expect(arguments.string("name") == "d")
    #expect(arguments.number("ram") == 1024)
    #expect(arguments.number("clock") == 1e6)
    #expect(arguments.bool("fpu") == true)
    #expect(arguments.number("int8_macs") == 2)
    #expect(arguments.number("float_macs") == 0, "defaulted")
    #expect(arguments.bool("weights_in_flash") == true, "defaulted")
    #expect(arguments.isGiven("fpu"))
    #expect(!arguments.isGiven("float_macs"))
    #expect(arguments.value("tops") == nil)
  }

  @Test func aSingleValueWhereAListIsExpectedIsAListOfOne() throws {
    let (arguments, problems) = try bind(#"dataset d = "x.npz" mean=0.5 std=[0.25, 0.5]"#)
    #expect(problems.isEmpty)
    #expect(ValueFormatter.display(try #require(arguments.value("mean"))) == "[0.5]")
    #expect(ValueFormatter.display(try #require(arguments.value("std"))) == "[0.25, 0.5]")
  }

  @Test func bindingAndPin() throws {
    let (dataset, _) = try bind(#"dataset train = "x.npz""#)
    #expect(dataset.binding == "train")
    #expect(dataset.string("path") == "x.npz")
    let hex = String(repeating: "a", count: 64)
    let (load, problems) = try bind("load \"m.onnx\" sha256:\(hex) as student")
    #expect(problems == [])
    #expect(load.pin == hex)
    #expect(load.string("name") == "student")
  }

  @Test func tooManyPositionals() throws {
    #expect(try bind("seed 1 2").problems == ["8: 'seed' takes 1 positional argument | usage: seed SEED"])
    #expect(
      try bind(#"load "m.onnx" teacher"#).problems == [
        "15: 'load' takes 1 positional argument | usage: load PATH [as NAME] [sha256:HEX]"
      ])
    #expect(
      try bind(#"export "m.onnx" fromat"#).problems == [
        "17: 'export' takes 1 positional argument | did you mean the option 'format=...'?"
      ])
  }

  @Test func duplicateArguments() throws {
    #expect(try bind(device + " ram=2KB").problems == ["39: 'ram' is given twice"])
    #expect(try bind(#"load "a.onnx" as x as y"#).problems == ["20: 'name' is given twice"])
  }

  @Test func missingRequiredArguments() throws {
    #expect(
      try bind("device d ram=1KB").problems == [
        "1: 'device' needs a flash | usage: \(DeviceCommand.signature.usage)",
        "1: 'device' needs a clock | usage: \(DeviceCommand.signature.usage)",
      ])
    #expect(try bind("seed").problems == ["1: 'seed' needs a seed | usage: seed SEED"])
  }

  @Test func unknownOptionsAndPrepositions() throws {
    #expect(
      try bind("report detail=1").problems == [
        "8: unknown option 'detail' for 'report' | options are io, pointer_bits"
      ])
    #expect(
      try bind(device + " fpus=true").problems == [
        "39: unknown option 'fpus' for 'device' | did you mean 'fpu'?"
      ])
    #expect(
      try bind(device + " colour=1").problems == [
        "39: unknown option 'colour' for 'device' | options are ram, flash, clock, int8_macs, float_macs, fpu, overhead, weights_in_flash, tops, kind, compiler_quantizes, summary"
      ])
    #expect(try bind("seed 1 on teacher").problems == ["8: 'seed' does not take 'on'"])
    #expect(
      try bind(#"load "a.onnx" from teacher"#).problems == ["15: 'load' does not take 'from' | it takes 'as'"]
    )
    let hex = String(repeating: "a", count: 64)
    #expect(
      try bind("export \"a.onnx\" sha256:\(hex)").problems == ["17: 'export' does not take a sha256 pin"])
  }

  @Test func valuesOfTheWrongTypeOrRange() throws {
    #expect(try bind("seed 1.5").problems == ["6: seed must be a whole number, not 1.5"])
    #expect(try bind("seed 1KB").problems == ["6: seed must be a whole number, not a size"])
    #expect(
      try bind("seed 2147483648").problems == ["6: seed 2147483648 is out of range (expected 0...2147483647)"]
    )
    #expect(
      try bind("device d ram=1MHz flash=1MB clock=1MHz").problems == [
        "14: ram must be a size with a unit, such as 264KB"
      ])
    #expect(
      try bind("device d ram=264 flash=1MB clock=1MHz").problems == [
        "14: ram must be a size with a unit, such as 264KB"
      ])
    #expect(try bind(device + " int8_macs=1KB").problems == ["49: int8_macs is a plain number, not a size"])
    #expect(try bind(device + " fpu=1").problems == ["43: fpu must be true or false, not a number"])
    #expect(try bind(device + " summary=3").problems == ["47: summary must be a string, not a number"])
    #expect(
      try bind("device d ram=0B flash=1MB clock=1MHz").problems == [
        "14: ram 0 B is out of range (expected 1 B...931.32 GB)"
      ])
    #expect(
      try bind(#"export "a.onnx" format=png"#).problems == [
        "24: unknown format 'png' (expected tflite, onnx, onnx-qdq)"
      ])
    #expect(
      try bind(#"export "a.onnx" format=ONNX"#).problems == [
        "24: unknown format 'ONNX' (expected tflite, onnx, onnx-qdq) | did you mean 'onnx'?"
      ])
    #expect(try bind("load 42").problems == ["6: path must be a path in quotes, not a number"])
    #expect(try bind(#"load """#).problems == ["6: path is empty"])
  }

  @Test func everyProblemIsReportedNotJustTheFirst() throws {
    let problems = try bind("device d ram=1ms flash=1ms fpus=true").problems
    #expect(problems.count == 4)
  }

  @Test func listTypes() {
    let type = ParameterType.list(.integer(range: 0...10))
    let good = Value.list([.number(Quantity(1)), .number(Quantity(10))])
    let bad = Value.list([.number(Quantity(1)), .number(Quantity(20))])
    #expect(TypeValidator.problem(with: good, for: type, name: "xs") == nil)
    #expect(
      TypeValidator.problem(with: bad, for: type, name: "xs")?.0
        == "each xs element 20 is out of range (expected 0...10)")
    #expect(
      TypeValidator.problem(with: .number(Quantity(1)), for: type, name: "xs")?.0
        == "xs must be a list, not a number")
    #expect(type.description == "[integer in 0...10, ...]")
  }
}
