import Foundation
import JumpEngine
import Synchronization
import Testing

@testable import JumpScript

/// What the training commands print while they train: per-batch status on a terminal, one line per epoch.
@Suite struct TrainingProgressLogTests {
  final class Lines: Sendable {
    let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
  }

  /// Two epochs of three batches, with validation at each epoch's end.
  static func reports() -> [TrainingProgress] {
    var reports: [TrainingProgress] = []
    for epoch in 1...2 {
      for batch in 1...3 {
        let remaining = Double(6 - (epoch - 1) * 3 - batch) * 30
        let validation: EpochEvaluation? = batch == 3 ? EpochEvaluation(loss: 0.25, accuracy: 0.9) : nil
        reports.append(
          TrainingProgress(
            epoch: epoch, batch: batch, epochCount: 2, batchCount: 3, loss: 0.5, accuracy: 0.875,
            samplesPerSecond: 1234.4, secondsRemaining: remaining, validation: validation))
      }
    }
    return reports
  }

  @Test func withoutATerminalOnlyEachEpochIsLogged() {
    let logged = Lines()
    let report = TrainingProgressLog(prefix: "quantize qat").reporter(
      RunEnvironment(stdlibDirectory: nil, log: { logged.append($0) }))
    Self.reports().forEach(report)
    #expect(
      logged.all == [
        "quantize qat: epoch 1/2: loss 0.5000, accuracy 87.50%, validation accuracy 90.00% (loss 0.2500), "
          + "1,234 samples/s, ETA 1m 30s",
        "quantize qat: epoch 2/2: loss 0.5000, accuracy 87.50%, validation accuracy 90.00% (loss 0.2500), "
          + "1,234 samples/s",
      ])
  }

  @Test func onATerminalBatchesRedrawTheStatusLine() {
    let logged = Lines()
    let drawn = Lines()
    let report = TrainingProgressLog(prefix: "distill", accuracyName: "agreement", validationName: "held-out")
      .reporter(
        RunEnvironment(stdlibDirectory: nil, log: { logged.append($0) }, status: { drawn.append($0) }))
    Self.reports().forEach(report)
    #expect(logged.all.count == 2)
    #expect(logged.all.first?.contains("agreement 87.50%, held-out agreement 90.00%") == true)
    // The first batch of each epoch is always drawn; later ones at most ten times a second.
    #expect(drawn.all.count >= 2 && drawn.all.count <= 4)
    #expect(
      drawn.all.first
        == "distill: epoch 1/2 batch 1/3: loss 0.5000, agreement 87.50%, ETA 2m 30s, 1,234 samples/s")
  }

  @Test func durationsReadAsSecondsMinutesOrHours() {
    #expect(TrainingProgressLog.duration(42.4) == "42s")
    #expect(TrainingProgressLog.duration(185) == "3m 05s")
    #expect(TrainingProgressLog.duration(3720) == "1h 02m")
    #expect(TrainingProgressLog.duration(.nan) == "?")
  }
}
