import Foundation
import JumpEngine
import Testing

@testable import JumpScript

/// The `arithmetic=` option of `eval` and `predict`: which runtime's integer arithmetic a quantized model runs with.
@Suite struct ModelExecutionTests {
  func session() throws -> TestSession {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=16")
    try session.run("quantize int8 from teacher as q")
    return session
  }

  @Test func evalSaysWhoseArithmeticItUsedWhenItIsNotTheDefault() throws {
    let session = try session()
    try session.run("let a = eval q on operational arithmetic=litert")
    #expect(try session.display("a.arithmetic") == "litert")
    #expect(try session.display("a").hasSuffix("(LiteRT (reference kernels) arithmetic)"))
    try session.run("let b = eval q on operational")
    #expect(try !session.display("b").contains("arithmetic"))
    // A float model has no integer arithmetic to speak of.
    try session.run("let c = eval teacher on operational arithmetic=single-rounding")
    #expect(try !session.display("c").contains("arithmetic"))
  }

  @Test func predictWritesTheChosenRuntimesOutputs() throws {
    let session = try session()
    let directory = try makeTemporaryDirectory()
    let path = directory.appendingPathComponent("litert.npy").path
    let text = try session.display("predict q on operational to \"\(path)\" arithmetic=litert")
    #expect(text.hasSuffix("of q on operational, LiteRT (reference kernels) arithmetic)"))
    #expect(FileManager.default.fileExists(atPath: path))
  }

  @Test func anUnknownArithmeticIsAnErrorListingTheChoices() throws {
    let session = try session()
    let error = try #require(throws: Diagnostic.self) {
      try session.run("eval q on operational arithmetic=arm")
    }
    #expect((error.message + (error.hint ?? "")).contains("litert"))
  }
}
