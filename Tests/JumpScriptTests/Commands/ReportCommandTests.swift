import Testing

@testable import JumpScript

@Suite struct ReportCommandTests {
  // The teacher's architecture (tutorials/data/README.md): four 3x3 convolutions 1->112->224->160->224
  // at 32, 32, 16 and 8 pixels, and a 224->10 linear layer.
  let params =
    1 * 112 * 9 + 112 + 112 * 224 * 9 + 224 + 224 * 160 * 9 + 160 + 160 * 224 * 9 + 224 + 224 * 10 + 10
  let macs =
    112 * 32 * 32 * 9 + 224 * 32 * 32 * 112 * 9 + 160 * 16 * 16 * 224 * 9 + 224 * 8 * 8 * 160 * 9 + 224 * 10

  @Test func reportFields() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher\nlet r = report")
    #expect(try session.display("r.model") == "teacher")
    #expect(try session.display("r.params") == String(params))
    #expect(try session.display("r.params == teacher.params") == "true")
    #expect(try session.display("r.size == \(params * 4)B") == "true")
    #expect(try session.display("r.flash == r.size") == "true")
    #expect(try session.display("r.macs") == String(macs))
    #expect(try session.display("r.nodes") == "13")
    #expect(try session.display("r.precision") == "fp32")
    let noField = try #require(session.failure("r.fits_flash"))
    #expect(noField.message == "a report has no field 'fits_flash'")
  }

  @Test func reportTextDescribesTheModel() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher\nreport")
    let lines = session.printed[1].split(separator: "\n").map(String.init)
    #expect(lines[0] == "teacher (fp32, from teacher.onnx, opset 17)")
    #expect(lines[1] == "  input   input  float32 [batch, 1, 32, 32]")
    #expect(lines[2] == "  output  logits  float32 [batch, 10]")
    #expect(lines[3].hasPrefix("  nodes   13 (Conv 4, Relu 4, MaxPool 2, "))
    #expect(lines.contains("  MACs    \(ValueFormatter.grouped(macs)) per sample"))
  }

  @Test func withATargetTheReportSaysWhetherItFits() throws {
    let session = TestSession()
    try session.run("use targets\ntarget pico\nload \"\(Repo.teacher)\" as teacher\nlet r = report")
    #expect(try session.display("r.fits_flash") == "false")
    let text = try session.display("report")
    #expect(text.contains("\n  target  pico: fp32 weights 3.34 MB vs 2 MB flash: does not fit\n"))
    #expect(text.hasSuffix("per sample on pico (estimate from MACs, bytes and the catalog's throughput)"))
  }

  @Test func modelFields() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    #expect(try session.display("teacher.name") == "teacher")
    #expect(try session.display("model.name") == "teacher")
    #expect(try session.display("teacher.nodes") == "13")
    #expect(try session.display("teacher.params") == String(params))
    #expect(try session.display("teacher.precision") == "fp32")
    #expect(try session.display("teacher.lineage") == #"["load teacher.onnx"]"#)
    #expect(try session.display("teacher.inputs.count") == "1")
    let typo = try #require(session.failure("teacher.parms"))
    #expect(typo.message == "a model has no field 'parms'")
    #expect(typo.hint == "did you mean 'params'?")
    #expect(typo.location == Location(line: 1, column: 9))
    #expect(session.failure("(1).x")?.message == "a number has no field 'x'")
  }

  @Test func reportOfANamedModelAndOfPreviousResults() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher\nload \"\(Repo.fixture("models/mlp.onnx"))\"")
    try session.run("let a = report teacher\nlet b = report\nlet c = report _1")
    #expect(try session.display("a.model") == "teacher")
    #expect(try session.display("b.model") == "mlp")
    #expect(try session.display("c.model") == "teacher")
    try session.run("teacher")
    #expect(try session.display("report _").hasPrefix("teacher (fp32"))
  }

  @Test func reportNeedsAModel() throws {
    let failure = try #require(TestSession().failure("report"))
    #expect(failure.message == "there is no model to report on")
    let unknown = try #require(TestSession().failure("report nobody"))
    #expect(unknown.message == "unknown model 'nobody'")
    #expect(unknown.hint == "load it first")
  }
}

@Suite struct DeviceAndTargetTests {
  @Test func useTargetsDeclaresPico() throws {
    let session = TestSession()
    try session.run("use targets\nuse targets")
    #expect(
      session.state.devices.map(\.name) == ["uno", "pico", "nano33ble", "esp32s3", "rpi-zero2", "turbo"])
    #expect(try session.display("pico") == "pico: 264 KB RAM, 2 MB flash, 133 MHz, no FPU")
    #expect(try session.display("pico.ram == 264KB") == "true")
    #expect(try session.display("pico.clock") == "133 MHz")
    #expect(try session.display("pico.float") == "false")
    #expect(try session.display("pico.kind") == "mcu")
    #expect(try session.display("rpi-zero2.kind") == "linux")
    #expect(try session.display("rpi-zero2.weights_in_flash") == "false")
    #expect(try session.display("turbo.kind") == "npu")
    #expect(try session.display("turbo.compiler_quantizes") == "true")
    #expect(try session.display("turbo.tops") == "25")
    #expect(try session.display("uno.ram == 2KB") == "true")
  }

  @Test func deviceKindsAreChecked() throws {
    let session = TestSession()
    try session.run("device box ram=1GB flash=8GB clock=1GHz kind=linux")
    #expect(try session.display("box.kind") == "linux")
    #expect(try session.display("box.compiler_quantizes") == "false")
    let wrong = try #require(session.failure("device bad ram=1KB flash=1KB clock=1MHz kind=gpu"))
    #expect(wrong.message.contains("gpu"))
  }

  @Test func targetSelectsADevice() throws {
    let session = TestSession()
    try session.run("use targets\ntarget pico")
    #expect(session.state.target?.name == "pico")
    #expect(try session.display("target.name") == "pico")
    #expect(try session.display("target.flash") == "2 MB")
    #expect(try session.display("target.overhead") == "4 KB")
  }

  @Test func userDevices() throws {
    let session = TestSession()
    try session.run("device rpi-zero2 ram=512MB flash=16GB clock=1GHz fpu=true tops=2\ntarget rpi-zero2")
    #expect(try session.display("rpi-zero2") == "rpi-zero2: 512 MB RAM, 16 GB flash, 1 GHz, FPU, 2 TOPS NPU")
    #expect(try session.display("target.tops") == "2")
  }

  @Test func unknownTargetsSuggest() throws {
    let noDevices = try #require(TestSession().failure("target pico"))
    #expect(noDevices.message == "unknown target 'pico'")
    #expect(noDevices.hint == "no devices are declared; add `use targets`")
    let session = TestSession()
    try session.run("use targets")
    #expect(session.failure("target pcio")?.hint == "did you mean 'pico'?")
  }

  @Test func seed() throws {
    let session = TestSession()
    try session.run("seed 42")
    #expect(session.state.seed == 42)
    #expect(session.printed.isEmpty)
  }
}
