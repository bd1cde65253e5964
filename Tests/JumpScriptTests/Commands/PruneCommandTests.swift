import Foundation
import JumpEngine
import Testing

@testable import JumpScript

/// `prune`: the report, the working model and its lineage, export, fine-tuning, and bad input.
@Suite struct PruneCommandTests {
  static func session() throws -> TestSession {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    return session
  }

  @Test func unstructuredPruningReportsSparsityAndSaysZerosAreStored() throws {
    let session = try Self.session()
    try session.run("let r = prune 0.5 scope=layer")
    let text = try session.display("r")
    #expect(text.hasPrefix("teacher_pruned: 50.0% sparse (unstructured layer oneshot)"))
    #expect(text.contains("params 874,890 -> 874,890 (437,810 nonzero), weights 3.34 MB -> 3.34 MB"))
    #expect(text.contains("zeros are still stored"))
    #expect(text.contains("/features/features.3/Conv   Conv  225,792  112,896     50.0%"))
    #expect(try session.display("model.name") == "teacher_pruned")
    let lineage = try session.display("model.lineage")
    #expect(lineage.contains("prune 0.5 unstructured layer oneshot"))
    #expect(try session.display("r.sparsity").hasPrefix("0.5"))
  }

  @Test func structuredPruningShrinksTheModelAndExportsToONNXAndTFLite() throws {
    let session = try Self.session()
    let text = ValueFormatter.display(try session.run("prune 0.3 structured=true scope=layer as slim"))
    #expect(text.hasPrefix("slim: structured layer,"))
    #expect(text.contains("112 -> 78"))
    #expect(text.contains("216 of 720 channels removed (30.0%) in 4 layers"))
    #expect(text.contains("kept whole: /head/Gemm: its output reaches the graph output 'logits'"))
    let params = try #require(Double(try session.display("slim.params")))
    #expect(params < 875_610 * 0.6)
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let onnx = directory.appendingPathComponent("slim.onnx").path
    try session.run("export \"\(onnx)\"")
    try session.run("export \"\(directory.appendingPathComponent("slim.tflite").path)\"")
    try session.run("load \"\(onnx)\" as reloaded")
    #expect(try session.display("reloaded.params") == (try session.display("slim.params")))
  }

  @Test func fineTuningKeepsTheMasks() throws {
    let session = try Self.session()
    try session.run("seed 1")
    try session.run("dataset train = \"\(Repo.path("tutorials/data/train.npz"))\" limit=8")
    let text = ValueFormatter.display(try session.run("prune 0.5 finetune=1 on train batch=8"))
    #expect(text.contains("50.0% sparse"))
    #expect(text.contains("fine-tuned 1 epoch on train"))
    #expect(try session.display("model.lineage").contains("fine-tuned 1 epoch on train (lr 0.0001, batch 8)"))
  }

  @Test func aValidationSplitKeepsTheBestEpochAndSaysWhich() throws {
    let session = try Self.session()
    try session.run("seed 1")
    try session.run("dataset train = \"\(Repo.path("tutorials/data/train.npz"))\" limit=16")
    try session.run("let r = prune 0.5 finetune=2 validate=0.25 on train batch=8")
    let text = try session.display("r")
    #expect(text.contains("fine-tuned 2 epochs on train"))
    #expect(text.contains("of 2 kept (validation accuracy "), "\(text)")
    let kept = try session.display("r.kept_epoch")
    #expect(kept == "1" || kept == "2")
    #expect(try session.display("model.lineage").contains("best epoch on a 0.25 validation split"))
    try session.run("prune 0.5 finetune=1 augment=crop on train batch=8 from teacher as cropped")
    #expect(session.state.model(named: "cropped")?.lineage.last?.contains("augmented (crop))") == true)
  }

  @Test func badInputIsRefusedBeforeAnyWork() throws {
    let session = try Self.session()
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=4")
    for (statement, message) in [
      ("prune 1", "sparsity 1 is outside [0, 1)"), ("prune -0.1", "outside [0, 1)"),
      ("prune 0.5 finetune=2", "finetune=2 needs labelled data"),
      (
        "prune 0.5 finetune=1 on operational",
        "dataset 'operational' has no labels; fine-tuning trains on labels"
      ),
      (
        "prune 0.5 structured=true schedule=polynomial finetune=1",
        "schedule=polynomial applies to unstructured"
      ),
      ("prune 0.5 schedule=polynomial", "finetune is 0"),
      ("prune 0.5 scope=tensor", "tensor"),
      ("prune 0.5 validate=0.1", "validate=0.1 picks the best fine-tuning epoch, and finetune is 0"),
      ("prune 0.5 augment=flip", "augment= applies to fine-tuning, and finetune is 0"),
      ("prune 0.5 finetune=-1", "finetune -1 is out of range"),
      ("prune 0.5 finetune=1001", "finetune 1001 is out of range"),
      ("prune 0.5 finetune=1 lr=5 on operational", "lr 5 is out of range"),
      ("prune 0.5 finetune=1 lr=0 on operational", "lr 0 is out of range"),
      ("prune 0.5 finetune=1 batch=0 on operational", "batch 0 is out of range"),
      ("prune 0.5 augment=rotate finetune=1 on operational", "rotate"),
      ("prune 0.5 finetune=1 validate=0.9 on operational", "validate"),
    ] {
      let failure = try #require(session.failure(statement), "\(statement)")
      #expect(failure.message.contains(message), "\(statement): \(failure.message)")
    }
    #expect(try session.display("model.name") == "teacher")
  }
}
