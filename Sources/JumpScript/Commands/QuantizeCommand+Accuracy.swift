import Foundation
import JumpEngine

/// The accuracy steps around the quantizer: cross-layer equalization before it, bias correction after.
///
/// Both read the dataset the model was calibrated on, from the start of the view: equalization's new
/// calibration the same `calibration.sampleCount` samples, bias correction the first of them (at most
/// `BiasCorrectionOptions.sampleLimit`), so nothing but the session's calibration decides the result.
extension QuantizeCommand {
  /// Equalizes the float model and calibrates the result the way `calibration` was made.
  ///
  /// The equalized model is nil when no pair of layers qualified (the model is then quantized as it is,
  /// with its own calibration). Ranges must be measured again because equalization rescales channels of
  /// the tensors between equalized layers, which a per-tensor range recorded before cannot follow.
  static func equalize(
    _ model: ModelValue, like calibration: CalibrationValue, in context: CommandContext
  ) throws(CommandError) -> (
    equalized: (model: Model, calibration: Calibration)?, report: EqualizationReport
  ) {
    let environment = context.environment
    let equalized: Model
    let report: EqualizationReport
    do {
      (equalized, report) = try CrossLayerEqualization.equalize(model.model)
    } catch {
      throw CommandError(error)
    }
    for skipped in report.skipped { environment.log("quantize: equalize left \(skipped)") }
    guard !report.groups.isEmpty else {
      environment.log("quantize: equalize found no convolutions joined by Relu or pooling in '\(model.name)'")
      return (nil, report)
    }
    let dataset = try calibrationDataset(calibration, in: context, for: "equalize=true")
    let used = calibration.calibration
    let options = CalibrationOptions(
      method: used.method, percentile: used.percentile ?? CalibrationOptions.defaultPercentile,
      bins: used.bins > 0 ? used.bins : CalibrationOptions.defaultBins, sampleLimit: used.sampleCount,
      threads: context.state.threads)
    do {
      let calibrator = try Calibrator(model: equalized, options: options)
      var lastProgress = Date()
      let calibration = try calibrator.calibrate(
        dataset.dataset, datasetName: dataset.name, isCancelled: environment.isCancelled,
        progress: { done, total in
          let now = Date()
          guard now.timeIntervalSince(lastProgress) >= 1 else { return }
          environment.log("quantize: calibrating the equalized model: \(done)/\(total) samples")
          lastProgress = now
        })
      return ((equalized, calibration), report)
    } catch {
      if error.kind == .cancelled { throw CommandError("interrupted", exitCode: .interrupted) }
      throw CommandError(error)
    }
  }

  /// Bias correction of `graph` on the calibration samples; `floatTapMeans` are the calibration pass's
  /// measurements of the float model `lowered` came from.
  static func correctBiases(
    _ graph: QuantizedGraph, lowered: LoweredGraph, calibration: CalibrationValue,
    floatTapMeans: CalibrationTapMeans?, in context: CommandContext
  ) throws(CommandError) -> (graph: QuantizedGraph, report: BiasCorrectionReport) {
    let environment = context.environment
    let dataset = try calibrationDataset(calibration, in: context, for: "bias correction")
    let samples = min(calibration.calibration.sampleCount, dataset.dataset.count)
    do {
      var lastProgress = Date()
      return try BiasCorrection.correct(
        graph, lowered: lowered, dataset: dataset.dataset.prefix(samples),
        options: BiasCorrectionOptions(threads: context.state.threads), floatTapMeans: floatTapMeans,
        isCancelled: environment.isCancelled,
        progress: { done, total in
          let now = Date()
          guard now.timeIntervalSince(lastProgress) >= 1 else { return }
          environment.log("quantize: bias correction: \(done)/\(total) sample passes")
          lastProgress = now
        })
    } catch {
      if error.kind == .cancelled { throw CommandError("interrupted", exitCode: .interrupted) }
      throw CommandError(error)
    }
  }

  /// The session dataset the calibration was measured on, or an error saying how to do without it.
  static func calibrationDataset(
    _ calibration: CalibrationValue, in context: CommandContext, for step: String
  ) throws(CommandError) -> DatasetValue {
    guard let dataset = context.state.dataset(named: calibration.datasetName), dataset.dataset.count > 0
    else {
      let off = step == "bias correction" ? "bias_correction=false" : "leave out equalize=true"
      throw CommandError(
        "\(step) needs the calibration dataset '\(calibration.datasetName)', which is no longer in the session",
        hint: "declare it again or calibrate on another dataset, or use \(off)")
    }
    return dataset
  }

  /// `equalized 3 pairs`, `equalized 1 pair and 1 triple`, `nothing to equalize`.
  static func describe(_ report: EqualizationReport) -> String {
    let pairs = report.groups.filter { $0.count == 2 }.count
    let triples = report.groups.filter { $0.count == 3 }.count
    var parts: [String] = []
    if pairs > 0 { parts.append("\(pairs) pair\(pairs == 1 ? "" : "s")") }
    if triples > 0 { parts.append("\(triples) triple\(triples == 1 ? "" : "s")") }
    return parts.isEmpty ? "nothing to equalize" : "equalized " + parts.joined(separator: " and ")
  }
}
