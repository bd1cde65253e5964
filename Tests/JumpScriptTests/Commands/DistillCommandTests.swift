import Foundation
import JumpEngine
import Testing

@testable import JumpScript

/// `distill`: a tiny run, the working model and its lineage, width=auto, help, and bad input.
@Suite struct DistillCommandTests {
  static func session(limit: Int = 40) throws -> TestSession {
    let session = TestSession()
    try session.run("seed 3")
    try session.run("load \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=\(limit)")
    return session
  }

  @Test func distillsAnMLPStudentAndMakesItTheWorkingModel() throws {
    let session = try Self.session()
    let text = ValueFormatter.display(try session.run("distill student=mlp hidden=[16] epochs=2 batch=16"))
    #expect(text.hasPrefix("mlp: mlp, "), "\(text)")
    #expect(text.contains("x fewer than teacher), agreement with the teacher"))
    #expect(text.contains("on 8 held-out samples"))
    #expect(try session.display("model.name") == "mlp")
    #expect(try session.display("model.params") == "16570")
    let lineage = try session.display("model.lineage")
    #expect(lineage.contains("distill mlp hidden [16] from teacher"))
    #expect(lineage.contains("on operational (2 epochs, T 4, alpha 1, lr 0.003, batch 16, seed 3)"))
  }

  @Test func augmentationRerunsTheTeacherAndIsNamedInTheLineage() throws {
    let session = try Self.session()
    try session.run("distill student=mlp hidden=[16] epochs=1 batch=16 augment=[crop, flip] as a")
    try session.run(
      "distill student=mlp hidden=[16] epochs=1 batch=16 augment=[crop, flip] from teacher as b")
    #expect(session.state.model(named: "a")?.model == session.state.model(named: "b")?.model)
    #expect(try session.display("a.lineage").contains("seed 3, augment crop+flip)"))
  }

  @Test func aSeededRunRepeats() throws {
    let a = try Self.session()
    let b = try Self.session()
    let statement = "distill student=cnn width=0.25 depth=2 epochs=1 batch=16"
    #expect(ValueFormatter.display(try a.run(statement)) == ValueFormatter.display(try b.run(statement)))
  }

  @Test func autoWidthPicksAWidthThatFitsTheTarget() throws {
    let session = try Self.session()
    try session.run("use targets")
    try session.run("target pico")
    let text = ValueFormatter.display(try session.run("distill student=dscnn width=auto epochs=1 batch=16"))
    #expect(text.contains("width=auto chose 1: int8 flash"), "\(text)")
    #expect(text.contains("fit the target"))
  }

  @Test func helpListsTheZoo() throws {
    let help = try #require(CommandRegistry.standard.signature("distill")).helpText
    for architecture in StudentArchitecture.allCases { #expect(help.contains(architecture.rawValue)) }
    #expect(help.contains("width=auto") || help.contains("auto"))
  }

  @Test func badInputIsRefusedBeforeAnyWork() throws {
    let session = try Self.session()
    try session.run("dataset labelled = \"\(Repo.path("tutorials/data/test.npz"))\"")
    for (statement, message) in [
      ("distill student=mobilenetv3_smal", "unknown student 'mobilenetv3_smal'"),
      ("distill student=resnet", "unknown student 'resnet'"),
      ("distill student=dscnn width=9", "width 9 is out of range"),
      ("distill student=dscnn width=auto", "no target is set"),
      ("distill student=mlp width=0.5", "mlp has no width"),
      ("distill student=mobilenetv3_small depth=3", "has no depth option"),
      ("distill student=cnn temperature=0", "temperature must be positive"),
      ("distill student=cnn temperature=-2", "temperature must be positive"),
      ("distill student=cnn epochs=0", "epochs 0 is out of range"),
      ("distill student=cnn lr=5", "lr 5 is out of range"),
      ("distill student=cnn lr=0", "lr 0 is out of range"),
      ("distill student=cnn batch=0", "batch 0 is out of range"),
      ("distill student=cnn augment=[crop, spin]", "spin"),
      ("distill student=cnn alpha=0.5", "there are no labels"),
      ("distill student=cnn labels=labelled", "labels 'labelled' has 297 samples, 'operational' has 200"),
      ("distill student=cnn on labelled labels=operational", "dataset 'operational' has no labels"),
    ] {
      let failure = try #require(session.failure(statement), "\(statement)")
      #expect(failure.message.contains(message), "\(statement): \(failure.message)")
    }
    #expect(try session.display("model.name") == "teacher")
  }

  @Test func samplesThatDoNotFitTheTeachersInputAreRefused() throws {
    let session = TestSession()
    try session.run("dataset wrong = \"\(Repo.fixture("data/wrong_shape.npz"))\"")
    try session.run("load \"\(Repo.teacher)\" as teacher")
    let failure = try #require(session.failure("distill student=cnn on wrong"))
    #expect(
      failure.message.contains(
        "the samples of 'wrong' have shape [3, 7, 7], the teacher's input is [1, 32, 32]"))
  }
}
