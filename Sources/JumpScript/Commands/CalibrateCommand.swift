import Foundation
import JumpEngine

/// `calibrate [MODEL] [on DATASET] [method=...] [percentile=P] [samples=N] [bins=B] [batch=N]`: streams
/// representative data through the model and keeps, per activation tensor, the range `quantize` will use.
///
/// State per tensor is bounded (min/max, or a histogram of `bins` counts), so any number of samples fits
/// in the memory of one batch. The calibration is stored in the session for the model, replacing an
/// earlier one; a failed or cancelled run leaves the session as it was.
enum CalibrateCommand: Command {
  static let signature = CommandSignature(
    name: "calibrate",
    summary: "measure activation ranges on representative data, for quantize",
    positionals: [Parameter("model", .model, help: "the model to calibrate (default: the working model)")],
    options: [
      Parameter(
        "method", .choice(CalibrationMethod.allCases.map(\.rawValue)), default: .word("minmax"),
        help:
          "how ranges are chosen: observed min/max, a percentile of the values, the KL-divergence threshold "
          + "(TensorRT's entropy method) or the range of least squared int8 error"),
      Parameter(
        "percentile", .number(.none, range: 90...100),
        default: .number(Quantity(CalibrationOptions.defaultPercentile)),
        help: "for method=percentile: the share of values kept, in percent (implies method=percentile)"),
      Parameter(
        "samples", .integer(range: 1...Int(Int32.max)),
        help: "use only the first N samples of the dataset (default: all)"),
      Parameter(
        "bins", .integer(range: 128...65536),
        default: .number(Quantity(Double(CalibrationOptions.defaultBins))),
        help: "histogram bins per tensor, for the histogram methods"),
      Parameter(
        "batch", .integer(range: 1...4096), default: .number(Quantity(64)), help: "samples per batch"),
    ],
    prepositions: [
      (
        .on,
        Parameter("dataset", .dataset, help: "the data to stream (default: the dataset named operational)")
      )
    ],
    examples: [
      "calibrate", "calibrate on operational method=percentile percentile=99.99",
      "calibrate teacher on operational method=entropy samples=500", "let c = calibrate method=mse",
      "c.tensors",
    ])

  /// The dataset used when none is named.
  static let defaultDataset = "operational"

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let model = arguments.model("model") ?? context.state.workingModel else {
      throw CommandError("there is no model to calibrate", hint: "load one first: load \"model.onnx\"")
    }
    let dataset = try dataset(arguments, context.state)
    let options = try options(arguments, threads: context.state.threads)
    let environment = context.environment
    if let limit = options.sampleLimit, limit > dataset.dataset.count {
      environment.log(
        "calibrate: samples=\(limit) but '\(dataset.name)' has \(dataset.dataset.count); using all of them")
    }
    let calibration: Calibration
    do {
      let calibrator = try Calibrator(model: model.model, options: options)
      var lastProgress = Date()
      calibration = try calibrator.calibrate(
        dataset.dataset, datasetName: dataset.name, isCancelled: environment.isCancelled,
        progress: { done, total in
          let now = Date()
          guard now.timeIntervalSince(lastProgress) >= 1 else { return }
          environment.log("calibrate: \(done)/\(total) samples")
          lastProgress = now
        })
    } catch {
      if error.kind == .cancelled { throw CommandError("interrupted", exitCode: .interrupted) }
      throw CommandError(error, parameter: error.kind == .invalidData ? "dataset" : nil)
    }
    let value = CalibrationValue(modelName: model.name, datasetName: dataset.name, calibration: calibration)
    context.state.calibrations[model.name] = value
    return .record(value.record)
  }

  /// The dataset named with `on`, else the one named `operational`.
  static func dataset(_ arguments: BoundArguments, _ state: SessionState) throws(CommandError) -> DatasetValue
  {
    if let dataset = arguments.dataset("dataset") { return dataset }
    if let dataset = state.dataset(named: defaultDataset) { return dataset }
    throw CommandError(
      "there is no dataset to calibrate on: name one with 'on DATASET' or declare one named '\(defaultDataset)'",
      hint: "dataset \(defaultDataset) = \"path/to/operational.npz\"")
  }

  /// The engine options from the arguments; `percentile=` alone implies `method=percentile`.
  static func options(_ arguments: BoundArguments, threads: Int) throws(CommandError) -> CalibrationOptions {
    var method = arguments.string("method").flatMap(CalibrationMethod.init(rawValue:)) ?? .minmax
    if arguments.isGiven("percentile") {
      if !arguments.isGiven("method") {
        method = .percentile
      } else if method != .percentile {
        throw CommandError(
          "percentile= applies only to method=percentile, not method=\(method.rawValue)",
          parameter: "percentile", hint: "drop percentile= or write method=percentile")
      }
    }
    return CalibrationOptions(
      method: method, percentile: arguments.number("percentile") ?? CalibrationOptions.defaultPercentile,
      bins: arguments.integer("bins") ?? CalibrationOptions.defaultBins,
      batchSize: arguments.integer("batch") ?? 64, sampleLimit: arguments.integer("samples"), threads: threads
    )
  }
}
