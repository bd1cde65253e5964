import Foundation
import JumpEngine
import Testing

@testable import JumpScript

/// A NaN in the training data makes every training command stop with the epoch and batch named and the
/// session as it was: no new model, the working model unchanged.
@Suite struct TrainingDivergenceTests {
  /// A directory of 16 labelled `1×32×32` samples, the sixth holding a NaN.
  static func poisonedDigits() throws -> String {
    let directory = try makeTemporaryDirectory().appendingPathComponent("poisoned")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var labels = "filename,label\n"
    for index in 0..<16 {
      let name = String(format: "s%02d.npy", index)
      let writer = try NpyWriter(url: directory.appendingPathComponent(name), shape: [1, 32, 32])
      var values = (0..<1024).map { Float(($0 * 7 + index * 13) % 17) / 17 }
      if index == 5 { values[100] = .nan }
      try writer.append(values)
      try writer.finish()
      labels += "\(name),\(index % 10)\n"
    }
    try labels.write(to: directory.appendingPathComponent("labels.csv"), atomically: true, encoding: .utf8)
    return directory.path
  }

  static func session() throws -> TestSession {
    let session = TestSession()
    try session.run("seed 2")
    try session.run("load \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=16")
    try session.run("dataset poisoned = \"\(try poisonedDigits())\"")
    return session
  }

  @Test(
    arguments: [
      ("calibrate on operational\nquantize int8 qat epochs=2 batch=4 on poisoned", "teacher_int8"),
      ("prune 0.5 finetune=2 batch=4 on poisoned", "teacher_pruned"),
      ("distill student=mlp hidden=[8] epochs=2 batch=4 on poisoned", "mlp"),
    ])
  func aNaNStopsTrainingAndKeepsTheSession(statement: String, result: String) throws {
    let session = try Self.session()
    let failure = try #require(session.failure(statement), "\(statement)")
    #expect(failure.message.contains("in epoch 1, batch "), "\(failure.message)")
    #expect(
      failure.message.contains("training diverged and stopped, the model is unchanged"), "\(failure.message)")
    #expect(session.state.model(named: result) == nil)
    #expect(try session.display("model.name") == "teacher")
  }
}
