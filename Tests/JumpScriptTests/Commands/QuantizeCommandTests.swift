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
    #expect(int8.lineage.last?.hasPrefix("quantize int8 ptq (per-channel, minmax on operational)") == true)
  }

  @Test func theReportOfAQuantizedModelListsItsWorstLayers() throws {
    let session = try session()
    try session.run("quantize int8")
    try session.run("let r = report")
    #expect(try session.display("r.precision") == "int8")
    #expect(try session.display("r.worst_layers.count") == "5")
    let text = try session.display("r")
    #expect(text.contains("quantized int8 per-channel (minmax on operational): 9 device ops"))
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
