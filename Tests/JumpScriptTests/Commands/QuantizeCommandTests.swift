import Foundation
import JumpEngine
import Testing

@testable import JumpScript

@Suite struct QuantizeCommandTests {
  let operational = Repo.path("tutorials/data/operational.npz")

  func session(operational declared: Bool = true) throws -> TestSession {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    if declared { try session.run("dataset operational = \"\(operational)\" limit=32") }
    return session
  }

  @Test func quantizesWithTheCalibrationAndKeepsTheFloatModel() throws {
    let session = try session()
    try session.run("calibrate on operational")
    try session.run("let q = quantize int8 ptq")
    #expect(try session.display("q.precision") == "int8")
    #expect(try session.display("q.per_channel") == "true")
    #expect(try session.display("model.name") == "teacher_int8")
    #expect(try session.display("model.precision") == "int8")
    let quantized = try #require(session.state.model(named: "teacher_int8")?.quantized)
    #expect(quantized.graph.nodes.contains { if case .conv2D = $0.op { true } else { false } })
    // Weights shrink about fourfold: int8 weights, int32 biases.
    let float = try #require(session.state.model(named: "teacher"))
    let int8 = try #require(session.state.model(named: "teacher_int8"))
    #expect(int8.weightBytes * 4 > float.weightBytes && int8.weightBytes * 3 < float.weightBytes)
    #expect(try Double(session.display("q.sqnr_db")) ?? 0 > 25)
    #expect(int8.lineage.last == "quantize int8 ptq (per-channel, minmax on operational), bias-corrected")
  }

  @Test func biasCorrectionIsOnByDefaultAndCanBeTurnedOff() throws {
    let session = try session()
    try session.run("calibrate on operational")
    try session.run("let c = quantize int8 per_channel=false as corrected")
    #expect(try session.display("c").hasPrefix("corrected: int8 per-tensor, bias-corrected, 9 ops"))
    #expect(try session.display("c.bias_correction") == "true")
    try session.run("let p = quantize int8 per_channel=false bias_correction=false from teacher as plain")
    #expect(try session.display("p").hasPrefix("plain: int8 per-tensor, 9 ops"))
    #expect(try session.display("p.bias_correction") == "false")
    let a = try #require(session.state.model(named: "corrected")?.quantized)
    let b = try #require(session.state.model(named: "plain")?.quantized)
    // Same weights, other biases.
    #expect(a.graph.nodes == b.graph.nodes)
    #expect(a.graph.tensors != b.graph.tensors)
    #expect(a.options.biasCorrection && !b.options.biasCorrection)
  }

  @Test func equalizeRecalibratesTheEqualizedModel() throws {
    let session = try session()
    try session.run("calibrate on operational method=percentile")
    try session.run("let q = quantize int8 per_channel=false equalize=true bias_correction=false as eq")
    #expect(try session.display("q").hasPrefix("eq: int8 per-tensor, equalized 3 pairs, 9 ops"))
    #expect(try session.display("q.equalized") == "3")
    let eq = try #require(session.state.model(named: "eq"))
    #expect(eq.quantized?.options.equalize == true)
    #expect(eq.lineage.last == "quantize int8 ptq (per-tensor, percentile 99.99 on operational), equalized")
    #expect(try Double(session.display("q.sqnr_db")) ?? 0 > 20)
    // The float model kept is the one quantized from; the session's calibration is still its own.
    #expect(eq.model == session.state.model(named: "teacher")?.model)
    #expect(session.state.calibrations["teacher"]?.calibration.model.matches(eq.model) == true)
    let report = try session.display("report eq")
    #expect(report.contains("quantized int8 per-tensor, equalized (percentile 99.99 on operational)"))
  }

  @Test func theReportOfAQuantizedModelListsItsWorstLayers() throws {
    let session = try session()
    try session.run("quantize int8")
    try session.run("let r = report")
    #expect(try session.display("r.precision") == "int8")
    #expect(try session.display("r.worst_layers.count") == "5")
    let text = try session.display("r")
    #expect(text.contains("quantized int8 per-channel, bias-corrected (minmax on operational): 9 device ops"))
    #expect(text.contains("quantization error per layer (SQNR vs float, worst first, 32 samples):"))
    // Sizes are the device's: int8 weights, not fp32.
    let float = try #require(session.state.model(named: "teacher"))
    #expect(try session.display("r.size") != ValueFormatter.bytes(Double(float.weightBytes)))
  }

  @Test func withoutACalibrationItCalibratesOnOperational() throws {
    let session = try session()
    try session.run("quantize int4 as small")
    #expect(session.state.calibrations["teacher"] != nil)
    #expect(try session.display("small.precision") == "int4")
  }

  @Test func withoutACalibrationOrOperationalItSaysWhatToRun() throws {
    let session = try session(operational: false)
    let failure = try #require(session.failure("quantize int8"))
    #expect(failure.message == "'teacher' has no calibration")
    #expect(failure.hint?.contains("calibrate on DATASET") == true)
    #expect(session.state.models.count == 1)
  }

  @Test func unknownPrecisionAndQuantizingTwice() throws {
    let session = try session()
    #expect(
      session.failure("quantize int7")?.message == "unknown precision 'int7' (expected int8, int4, int16x8)")
    try session.run("quantize int8")
    #expect(session.failure("quantize int8")?.message == "'teacher_int8' is already quantized (int8)")
  }

  @Test func theCheckerKnowsTheDefaultName() {
    let text = """
      load "\(Repo.teacher)" as teacher
      quantize int8
      report teacher_int8
      quantize int4 from teacher
      report teacher_int4
      report teacher_int16x8
      """
    #expect(check(text).map(\.message) == ["unknown model 'teacher_int16x8'"])
  }
}
