import Foundation
import JumpEngine
import Synchronization
import Testing

@testable import JumpScript

/// `quantize PRECISION qat`: trains the small DS-CNN on a few labelled digits and stores an ordinary
/// quantized model; bad options, unlabelled data and Ctrl-C leave the session as it was.
@Suite struct QuantizeQATCommandTests {
  /// Cancels from the `after`-th poll on, once armed.
  final class Canceller: Sendable {
    let armed = Atomic<Bool>(false)
    let polls = Atomic<Int>(0)
    let after: Int
    init(after: Int) { self.after = after }
    func isCancelled() -> Bool {
      guard armed.load(ordering: .relaxed) else { return false }
      return polls.add(1, ordering: .relaxed).newValue >= after
    }
  }

  func session(isCancelled: @escaping @Sendable () -> Bool = { false }) throws -> TestSession {
    let session = TestSession(isCancelled: isCancelled)
    try session.run("load \"\(Repo.path("tutorials/data/models/dscnn.onnx"))\" as dscnn")
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=16")
    try session.run("dataset train = \"\(Repo.path("tutorials/data/train.npz"))\" limit=32")
    try session.run("calibrate on operational")
    return session
  }

  @Test func trainsAndStoresAQuantizedModelLikePTQ() throws {
    let session = try session()
    try session.run("seed 7")
    try session.run("let q = quantize int4 qat epochs=2 batch=16 lr=1e-3 on train")
    #expect(try session.display("q.precision") == "int4")
    #expect(try session.display("q.mode") == "qat")
    #expect(try session.display("q.epochs") == "2")
    #expect(try session.display("q.bias_correction") == "false")
    #expect(try session.display("q").contains("qat 2 epochs on train"))
    let model = try #require(session.state.model(named: "dscnn_int4"))
    let quantized = try #require(model.quantized)
    #expect(!quantized.options.biasCorrection)
    #expect(quantized.graph.nodes.contains { if case .depthwiseConv2D = $0.op { true } else { false } })
    #expect(
      model.lineage.last?.hasPrefix("quantize int4 qat (per-channel, 2 epochs on train, lr 0.001") == true)
    // The same seed again gives the same integer graph.
    try session.run("quantize int4 qat epochs=2 batch=16 lr=1e-3 from dscnn as again")
    #expect(session.state.model(named: "again")?.quantized?.graph == quantized.graph)
  }

  @Test func learnedRangesAndTheDefaultTrainingDataset() throws {
    let session = try session()
    try session.run("let q = quantize int8 qat epochs=1 batch=32 ranges=learned per_channel=false")
    #expect(try session.display("q.per_channel") == "false")
    #expect(session.state.model(named: "dscnn_int8")?.lineage.last?.contains("learned ranges") == true)
  }

  @Test func aValidationSplitKeepsTheBestEpochAndSaysWhich() throws {
    let session = try session()
    try session.run("seed 3")
    try session.run("let q = quantize int8 qat epochs=2 batch=8 lr=1e-3 validate=0.25 on train")
    let kept = try session.display("q.kept_epoch")
    #expect(kept == "1" || kept == "2")
    #expect(try session.display("q").contains("epoch \(kept) of 2 kept (validation accuracy "))
    #expect(session.state.model(named: "dscnn_int8")?.lineage.last?.contains("0.25 validation split") == true)
  }

  @Test func augmentationIsSeededAndNamedInTheLineage() throws {
    let session = try session()
    try session.run("seed 4")
    try session.run("quantize int8 qat epochs=1 batch=16 augment=[crop, flip] on train as a")
    try session.run("quantize int8 qat epochs=1 batch=16 augment=[crop, flip] on train from dscnn as b")
    try session.run("quantize int8 qat epochs=1 batch=16 on train from dscnn as plain")
    let a = try #require(session.state.model(named: "a"))
    #expect(a.lineage.last?.contains(", augmented (crop, flip))") == true)
    #expect(a.quantized?.graph == session.state.model(named: "b")?.quantized?.graph)
    #expect(a.quantized?.graph != session.state.model(named: "plain")?.quantized?.graph)
    let ptq = try #require(session.failure("quantize int8 ptq augment=flip from dscnn"))
    #expect(ptq.message.contains("augment= applies to quantize qat only"))
  }

  @Test func badOptionsAndUnlabelledDataAreRefusedNamingTheCommand() throws {
    let session = try session()
    let epochs = try #require(session.failure("quantize int8 qat epochs=0"))
    #expect(epochs.message.contains("epochs"))
    let rate = try #require(session.failure("quantize int8 qat lr=5"))
    #expect(rate.message.contains("lr 5 is out of range"))
    let tooLong = try #require(session.failure("quantize int8 qat epochs=5000"))
    #expect(tooLong.message.contains("epochs 5000 is out of range"))
    let zeroRate = try #require(session.failure("quantize int8 qat lr=0"))
    #expect(zeroRate.message.contains("lr 0 is out of range"))
    let ptqEpochs = try #require(session.failure("quantize int8 ptq epochs=3"))
    #expect(ptqEpochs.message.contains("epochs= applies to quantize qat only"))
    let correction = try #require(session.failure("quantize int8 qat bias_correction=true"))
    #expect(correction.message.contains("bias_correction= applies to quantize ptq only"))
    let ptqValidate = try #require(session.failure("quantize int8 ptq validate=0.1"))
    #expect(ptqValidate.message.contains("validate= applies to quantize qat only"))
    let tooMuch = try #require(session.failure("quantize int8 qat validate=0.9"))
    #expect(tooMuch.message.contains("validate"))
    let unlabelled = try #require(session.failure("quantize int8 qat on operational"))
    #expect(unlabelled.message.contains("quantize qat: dataset 'operational' has no labels"))
    #expect(session.state.model(named: "dscnn_int8") == nil)
    #expect(try session.display("model.name") == "dscnn")
  }

  @Test func interruptingTrainingLeavesTheSessionUnchanged() throws {
    let canceller = Canceller(after: 3)
    let session = try session(isCancelled: { canceller.isCancelled() })
    canceller.armed.store(true, ordering: .relaxed)
    let failure = try #require(session.failure("quantize int8 qat epochs=3 batch=8"))
    #expect(failure.message.contains("interrupted"))
    #expect(session.state.model(named: "dscnn_int8") == nil)
    canceller.armed.store(false, ordering: .relaxed)
    #expect(try session.display("model.name") == "dscnn")
  }
}
