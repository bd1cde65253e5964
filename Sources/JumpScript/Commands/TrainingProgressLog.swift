import Foundation
import JumpEngine

/// What the training commands (`quantize qat`, `prune finetune=`, `distill`) show while they train.
///
/// On a terminal (the environment has a `status` line) every batch redraws one line in place, at most ten
/// times a second: epoch and batch, the epoch's running loss and accuracy, samples per second and the time
/// left. Every epoch's end is logged as a permanent line, which is all that is written when stderr is a
/// file or a pipe, so logs stay one line per epoch.
struct TrainingProgressLog {
  /// Starts every line: `quantize qat`, `prune: fine-tune`, `distill`.
  let prefix: String
  /// What the accuracy measures: `accuracy`, or `agreement` with a teacher.
  var accuracyName = "accuracy"
  /// What the validation numbers are called: `validation`, or `held-out` for distillation.
  var validationName = "validation"

  /// A progress closure for the engine's loops, writing to `environment`.
  func reporter(_ environment: RunEnvironment) -> (TrainingProgress) -> Void {
    var lastDraw: ContinuousClock.Instant? = nil
    return { report in
      if report.endsEpoch {
        environment.log(epochLine(report))
        lastDraw = nil
        return
      }
      guard let status = environment.status else { return }
      let now = ContinuousClock.now
      if let lastDraw, now - lastDraw < .milliseconds(100) { return }
      lastDraw = now
      status(batchLine(report))
    }
  }

  /// `quantize qat: epoch 2/5 batch 13/20: loss 0.1234, accuracy 96.50%, ETA 42s, 1,234 samples/s` (the ETA
  /// before the speed, so a narrow terminal that cuts the line keeps it).
  func batchLine(_ report: TrainingProgress) -> String {
    "\(prefix): epoch \(report.epoch)/\(report.epochCount) batch \(report.batch)/\(report.batchCount): "
      + measures(report) + ", ETA \(Self.duration(report.secondsRemaining)), "
      + "\(ValueFormatter.grouped(Int(report.samplesPerSecond.rounded()))) samples/s"
  }

  /// `quantize qat: epoch 2/5: loss 0.1234, accuracy 96.50%, validation accuracy 97.00% (loss 0.0912),
  /// 1,234 samples/s, ETA 1m 24s` (no ETA after the last epoch).
  func epochLine(_ report: TrainingProgress) -> String {
    var line = "\(prefix): epoch \(report.epoch)/\(report.epochCount): " + measures(report)
    if let held = report.validation {
      line +=
        ", \(validationName) \(accuracyName) \(EvalCommand.percent(held.accuracy)) "
        + "(loss \(ValueFormatter.fixed(held.loss, decimals: 4)))"
    }
    line += ", \(ValueFormatter.grouped(Int(report.samplesPerSecond.rounded()))) samples/s"
    if report.epoch < report.epochCount { line += ", ETA \(Self.duration(report.secondsRemaining))" }
    return line
  }

  private func measures(_ report: TrainingProgress) -> String {
    "loss \(ValueFormatter.fixed(report.loss, decimals: 4)), \(accuracyName) \(EvalCommand.percent(report.accuracy))"
  }

  /// `42s`, `3m 05s`, `1h 02m`.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let whole = Int(seconds.rounded())
    if whole < 60 { return "\(whole)s" }
    if whole < 3600 { return "\(whole / 60)m \(String(format: "%02d", whole % 60))s" }
    return "\(whole / 3600)h \(String(format: "%02d", whole % 3600 / 60))m"
  }
}
