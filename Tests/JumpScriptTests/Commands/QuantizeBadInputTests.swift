import Foundation
import JumpEngine
import Testing

@testable import JumpScript

/// `quantize` and `calibrate` on input that does not fit: each error names what is wrong and keeps the session.
@Suite struct QuantizeBadInputTests {
  @Test func aCalibrationOfAnotherModelIsNotUsedAndTheDataMismatchIsNamed() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=4")
    try session.run("calibrate on operational")
    try session.run("load \"\(Repo.fixture("models/mlp.onnx"))\" as mlp")
    let failure = try #require(session.failure("quantize int8"))
    #expect(failure.message.contains("samples are 1×32×32 but the model's input 'input' takes 1×8×8"))
    #expect(session.state.model(named: "mlp_int8") == nil)
    #expect(try session.display("model.name") == "mlp")
  }

  @Test func unknownOptionsAndValuesAreCaughtBeforeAnyWork() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    let badMethod = try #require(session.failure("calibrate method=median"))
    #expect(badMethod.message.contains("median"))
    let badPrecision = try #require(session.failure("quantize int7"))
    #expect(badPrecision.message.contains("int7"))
    let badSkip = try #require(session.failure("quantize int8 skip=[\"no_such_layer\"]"))
    #expect(badSkip.message.contains("no_such_layer"))
  }
}
