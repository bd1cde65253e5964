import Foundation
import JumpEngine

/// `quantize PRECISION qat [epochs=N] [on DATASET] [lr=...] [batch=...] [ranges=ema|learned]`.
///
/// Quantization-aware training starts from the model's calibration (the same one `ptq` would use),
/// fine-tunes the BatchNorm-folded float model through fake quantization on labelled data, and converts
/// the trained weights with the final ranges through the same `Quantizer`; the result is an ordinary
/// quantized model, so `eval`, `report` and `export` treat it like a PTQ result. Bias correction is not
/// applied (see `QATOptions.quantization`). A failed or cancelled run leaves the session unchanged.
extension QuantizeCommand {
  /// Epochs when `epochs=` is not given: enough for QAT to settle on small data, short enough to try.
  static let qatDefaultEpochs = 5
  /// Adam's learning rate when `lr=` is not given: small, as QAT fine-tunes already trained weights.
  static let qatDefaultLearningRate = 1e-4
  /// Samples per step when `batch=` is not given.
  static let qatDefaultBatch = 32
  /// The training dataset when `on` names none.
  static let qatDefaultDataset = "train"

  /// The options that belong to one mode only, rejected in the other before any work.
  static func checkModeOptions(_ arguments: BoundArguments) throws(CommandError) {
    let qat = arguments.string("mode") == "qat"
    let qatOnly = ["epochs", "lr", "batch", "ranges", "validate", "augment", "dataset"]
    let ptqOnly = ["equalize", "bias_correction"]
    for name in qat ? ptqOnly : qatOnly where arguments.isGiven(name) {
      let shown = name == "dataset" ? "on DATASET" : "\(name)="
      throw CommandError(
        "\(shown) applies to quantize \(qat ? "ptq" : "qat") only", parameter: name,
        hint: qat
          ? (name == "bias_correction"
            ? "QAT trains through the quantization, which already corrects the bias shift"
            : "equalize the model with a ptq run, or drop it")
          : "write `quantize PRECISION qat ...` to train, or drop \(shown)")
    }
  }

  /// Trains, converts and stores the QAT result.
  static func runQAT(
    _ arguments: BoundArguments, model: ModelValue, precision: QuantizationPrecision, skip: SkipList,
    in context: inout CommandContext
  ) throws(CommandError) -> Value {
    let dataset = try trainingDataset(arguments, context.state)
    guard dataset.dataset.hasLabels else {
      throw CommandError(
        "quantize qat: dataset '\(dataset.name)' has no labels; quantization-aware training needs labelled data "
          + "(calibrate, quantize ptq, eval without labels and report do not)",
        parameter: "dataset", hint: "name a dataset with a `y` array: quantize \(precision) qat on train")
    }
    let augmentation = AugmentOption.augmentation(arguments)
    try AugmentOption.check(augmentation, samples: dataset)
    let calibration = try calibration(for: model, in: &context)
    let options = QATOptions(
      precision: precision, perChannel: arguments.bool("per_channel") ?? true, skip: skip,
      ranges: QATRangeMode(rawValue: arguments.string("ranges") ?? "ema") ?? .ema)
    let epochs = arguments.integer("epochs") ?? qatDefaultEpochs
    let rate = arguments.number("lr") ?? qatDefaultLearningRate
    let configuration = TrainingConfiguration(
      epochs: epochs, batchSize: arguments.integer("batch") ?? qatDefaultBatch, optimizer: .adam(),
      schedule: .constant(rate), seed: context.state.seed ?? 0,
      validationFraction: arguments.number("validate"), augmentation: augmentation)
    let environment = context.environment
    let result: QATResult
    do {
      result = try QuantizationAwareTraining.run(
        model.model, ranges: calibration.calibration.closedRanges, on: dataset.dataset, options: options,
        configuration: configuration, threads: context.state.threads, isCancelled: environment.isCancelled,
        progress: TrainingProgressLog(prefix: "quantize qat").reporter(environment))
    } catch {
      if error.kind == .cancelled { throw CommandError("interrupted", exitCode: .interrupted) }
      throw CommandError(error)
    }
    let described = "\(calibration.calibration.methodDescription) on \(calibration.datasetName)"
    let quantized = QuantizedModel(
      graph: result.graph, lowered: result.lowered, options: options.quantization,
      calibrationDescription: described, calibrationDataset: calibration.datasetName)
    let name = arguments.string("name") ?? context.state.freshModelName("\(model.name)_\(precision.rawValue)")
    let epochCount = "\(epochs) epoch\(epochs == 1 ? "" : "s")"
    let stage =
      "quantize \(precision.rawValue) qat (\(options.perChannel ? "per-channel" : "per-tensor"), "
      + "\(epochCount) on \(dataset.name), lr \(rate), \(options.ranges.rawValue) ranges from \(described)"
      + (arguments.number("validate").map {
        ", best of \(epochCount) on a \(ValueFormatter.plain($0)) validation split"
      } ?? "") + AugmentOption.stageNote(augmentation) + ")"
    let value = ModelValue(
      name: name, model: model.model, lineage: model.lineage + [stage], quantized: quantized)
    let sqnr = try outputSQNR(value, reference: model, calibration: calibration, context: context)
    context.state.store(value)
    var record = record(value, from: model, sqnr: sqnr)
    let last = result.epochs.last
    record.text +=
      ", qat \(epochCount) on \(dataset.name)"
      + (last.map { " (last epoch loss \(ValueFormatter.fixed($0.loss, decimals: 4)))" } ?? "")
    if let kept = result.validation.indices.contains(result.keptEpoch - 1)
      ? result.validation[result.keptEpoch - 1] : nil
    {
      record.text +=
        ", " + QuantizeCommand.keptEpochNote(epoch: result.keptEpoch, of: epochs, validation: kept)
      record.fields += [
        ("kept_epoch", .number(Quantity(Double(result.keptEpoch)))),
        ("validation_accuracy", .number(Quantity(kept.accuracy))),
      ]
    }
    record.fields += [
      ("mode", .string("qat")), ("epochs", .number(Quantity(Double(epochs)))),
      ("loss", .number(Quantity(last?.loss ?? .nan))),
      ("train_accuracy", .number(Quantity(last?.accuracy ?? .nan))),
    ]
    return .record(record)
  }

  /// `epoch 3 of 5 kept (validation accuracy 97.50%)`: which epoch a validation split chose.
  static func keptEpochNote(epoch: Int, of epochs: Int, validation: EpochEvaluation) -> String {
    "epoch \(epoch) of \(epochs) kept (validation accuracy \(EvalCommand.percent(validation.accuracy)))"
  }

  /// The dataset named with `on`, else the one named `train`.
  static func trainingDataset(
    _ arguments: BoundArguments, _ state: SessionState
  ) throws(CommandError) -> DatasetValue {
    if let dataset = arguments.dataset("dataset") { return dataset }
    if let dataset = state.dataset(named: qatDefaultDataset) { return dataset }
    throw CommandError(
      "quantize qat needs labelled training data: name it with 'on DATASET' or declare a dataset named "
        + "'\(qatDefaultDataset)'",
      parameter: "dataset", hint: "dataset \(qatDefaultDataset) = \"path/to/train.npz\"")
  }
}
