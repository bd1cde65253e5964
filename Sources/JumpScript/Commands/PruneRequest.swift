import JumpEngine

/// The checked arguments of `prune`: every combination that cannot work is refused here, before any work.
struct PruneRequest {
  let model: ModelValue
  let sparsity: Double
  let structured: Bool
  let scope: PruningScope
  let schedule: PruningSchedule
  let epochs: Int
  let learningRate: Double
  let batch: Int
  /// The fraction of the fine-tuning data held out to keep the best epoch, when `validate=` is given.
  let validationFraction: Double?
  /// Random crops and flips of the fine-tuning batches (`augment=`).
  let augmentation: ImageAugmentation
  let dataset: DatasetValue?

  init(_ arguments: BoundArguments, state: SessionState) throws(CommandError) {
    guard let model = arguments.model("model") ?? state.workingModel else {
      throw CommandError("there is no model to prune", hint: "load one first: load \"model.onnx\"")
    }
    if model.quantized != nil {
      throw CommandError(
        "'\(model.name)' is quantized (\(model.precision)); pruning works on float models",
        parameter: "model",
        hint: "prune the float model first, then quantize the result")
    }
    let sparsity = arguments.number("sparsity") ?? 0
    guard sparsity.isFinite, sparsity >= 0, sparsity < 1 else {
      throw CommandError(
        "sparsity \(ValueFormatter.plain(sparsity)) is outside [0, 1)", parameter: "sparsity",
        hint: "give the fraction of weights to remove, e.g. 0.5 or 50%")
    }
    self.model = model
    self.sparsity = sparsity
    structured = arguments.bool("structured") ?? false
    scope = PruningScope(rawValue: arguments.string("scope") ?? "global") ?? .global
    schedule = PruningSchedule(rawValue: arguments.string("schedule") ?? "oneshot") ?? .oneshot
    epochs = arguments.integer("finetune") ?? 0
    learningRate = arguments.number("lr") ?? 1e-4
    batch = arguments.integer("batch") ?? 32
    validationFraction = arguments.number("validate")
    augmentation = AugmentOption.augmentation(arguments)
    dataset = arguments.dataset("dataset")
    if structured && schedule == .polynomial {
      throw CommandError(
        "schedule=polynomial applies to unstructured pruning; structured pruning removes channels at once",
        parameter: "schedule", hint: "leave out schedule= (channels go before fine-tuning)")
    }
    if epochs == 0 && augmentation.isEnabled {
      throw CommandError(
        "augment= applies to fine-tuning, and finetune is 0", parameter: "augment",
        hint: "add finetune=EPOCHS on DATASET, or leave out augment=")
    }
    if epochs > 0 {
      guard let dataset else {
        throw CommandError(
          "finetune=\(epochs) needs labelled data to train on", parameter: "finetune",
          hint: "add `on DATASET` (a dataset with labels), or use finetune=0")
      }
      guard dataset.source.hasLabels else {
        throw CommandError(
          "dataset '\(dataset.name)' has no labels; fine-tuning trains on labels (prune without finetune= "
            + "needs no data, and distill learns from a teacher without labels)", parameter: "dataset",
          hint: "fine-tune on a labelled dataset (operational data usually has none)")
      }
      try AugmentOption.check(augmentation, samples: dataset)
    } else if let validationFraction {
      throw CommandError(
        "validate=\(ValueFormatter.plain(validationFraction)) picks the best fine-tuning epoch, and finetune is 0",
        parameter: "validate", hint: "add finetune=EPOCHS on DATASET, or leave out validate=")
    } else if schedule == .polynomial {
      throw CommandError(
        "schedule=polynomial ramps sparsity up during fine-tuning, and finetune is 0", parameter: "schedule",
        hint: "add finetune=EPOCHS on DATASET, or leave out schedule=")
    }
  }

  /// The lineage stage: `prune 0.5 unstructured global oneshot, fine-tuned 2 epochs on train (lr 0.0001, batch 32)`.
  var stage: String {
    var text =
      "prune \(ValueFormatter.plain(sparsity)) \(structured ? "structured" : "unstructured") \(scope.rawValue)"
    if !structured { text += " \(schedule.rawValue)" }
    if let dataset, epochs > 0 {
      text +=
        ", fine-tuned \(epochs) epoch\(epochs == 1 ? "" : "s") on \(dataset.name) "
        + "(lr \(ValueFormatter.plain(learningRate)), batch \(batch)"
        + (validationFraction.map { ", best epoch on a \(ValueFormatter.plain($0)) validation split" } ?? "")
        + AugmentOption.stageNote(augmentation) + ")"
    }
    return text
  }
}
