import Foundation
import JumpEngine

/// `prune SPARSITY [structured=false] [scope=global|layer] [schedule=oneshot|polynomial] [finetune=EPOCHS]
/// [on DATASET]`: magnitude pruning of the working float model, optionally fine-tuned on labelled data.
///
/// Unstructured (the default) zeroes the smallest weights of convolutions, Gemms and MatMuls and keeps
/// the zeros through fine-tuning; the file stays as large as before. `structured=true` removes whole
/// output channels (lowest L1 norm) and rewrites their consumers, giving a smaller dense model. The
/// result becomes the working model, with the stage in its lineage.
enum PruneCommand: Command {
  static let signature = CommandSignature(
    name: "prune",
    summary: "remove the smallest weights (or whole channels) of a float model, then optionally fine-tune",
    positionals: [
      Parameter(
        "sparsity", .number(.none, range: nil), required: true,
        help: "fraction of weights (or channels, when structured) to remove, in [0, 1): 0.5 or 50%")
    ],
    options: [
      Parameter(
        "structured", .boolean, default: .bool(false),
        help: "remove whole output channels and shrink the layers that read them (a smaller dense model)"),
      Parameter(
        "scope", .choice(PruningScope.allCases.map(\.rawValue)), default: .word("global"),
        help: "global: one ranking over all layers; layer: every layer loses the same fraction"),
      Parameter(
        "schedule", .choice(PruningSchedule.allCases.map(\.rawValue)), default: .word("oneshot"),
        help: "oneshot: prune, then fine-tune; polynomial: ramp sparsity up during fine-tuning (cubic)"),
      Parameter(
        "finetune", .integer(range: 0...1000), default: .number(Quantity(0)),
        help: "fine-tuning epochs on the `on` dataset (0: none, no data needed)"),
      Parameter(
        "lr", .number(.none, range: 1e-8...1), default: .number(Quantity(1e-4)),
        help: "fine-tuning learning rate (Adam)"),
      Parameter(
        "batch", .integer(range: 1...4096), default: .number(Quantity(32)), help: "fine-tuning batch size"),
      Parameter(
        "validate", .number(.none, range: 0.01...0.5),
        help: "hold out this fraction of the fine-tuning data (a seeded draw), measure accuracy there after "
          + "every epoch and keep the best epoch (at the final sparsity)"),
      AugmentOption.parameter("fine-tuning: "),
    ],
    prepositions: [
      (.on, Parameter("dataset", .dataset, help: "labelled data to fine-tune on (needed when finetune > 0)")),
      (.from, Parameter("model", .model, help: "the float model to prune (default: the working model)")),
      (.as, Parameter("name", .newName, help: "name of the result (default: MODEL_pruned)")),
    ],
    examples: [
      "prune 0.5", "prune 0.5 finetune=2 on train", "prune 0.5 finetune=5 validate=0.1 on train",
      "prune 0.8 schedule=polynomial finetune=4 on train",
      "prune 0.3 structured=true", "prune 50% scope=layer from teacher as half",
    ],
    defaultModelName: { _, base in "\(base)_pruned" })

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    let request = try PruneRequest(arguments, state: context.state)
    let model = request.model
    let original = model.model
    var pruned: Model
    var removal: StructuredPruning.Removal?
    var masks: [String: MagnitudeMask] = [:]
    do {
      if request.structured {
        (pruned, removal) = try StructuredPruning.prune(
          original, fraction: request.sparsity, scope: request.scope)
      } else if request.schedule == .polynomial && request.epochs > 0 {
        pruned = original
      } else {
        (pruned, masks) = try UnstructuredPruning.prune(
          original, sparsity: request.sparsity, scope: request.scope)
      }
    } catch {
      throw CommandError(error, parameter: error.kind == .invalidData ? "sparsity" : "model")
    }
    var training: TrainingResult?
    if let dataset = request.dataset, request.epochs > 0 {
      (pruned, training) = try fineTune(pruned, masks: masks, request: request, dataset: dataset, in: context)
    }
    let name = arguments.string("name") ?? context.state.freshModelName("\(model.name)_pruned")
    let value = ModelValue(name: name, model: pruned, lineage: model.lineage + [request.stage])
    context.state.store(value)
    let report = SparsityReport(original: original, pruned: pruned)
    return .record(
      PruneRecord(
        value: value, from: model, request: request, report: report, removal: removal, training: training
      ).record)
  }

  /// Fine-tunes with the masks kept (unstructured) or plainly (structured), logging one line per epoch.
  static func fineTune(
    _ model: Model, masks: [String: MagnitudeMask], request: PruneRequest, dataset: DatasetValue,
    in context: CommandContext
  ) throws(CommandError) -> (Model, TrainingResult) {
    let environment = context.environment
    let configuration = TrainingConfiguration(
      epochs: request.epochs, batchSize: request.batch, optimizer: .adam(),
      schedule: .constant(request.learningRate), seed: context.state.seed ?? 0,
      validationFraction: request.validationFraction, augmentation: request.augmentation)
    // The validation split's samples never train, so the schedule counts only the others.
    let samples = dataset.dataset.count
    let trained = request.validationFraction.map { Int((Double(samples) * (1 - $0)).rounded()) } ?? samples
    let steps = MaskedFineTuning.stepCount(samples: trained, batchSize: request.batch, epochs: request.epochs)
    let schedule =
      request.schedule == .polynomial && !request.structured
      ? PolynomialSparsitySchedule.fineTuning(final: request.sparsity, steps: steps) : nil
    let progress = TrainingProgressLog(prefix: "prune: fine-tune").reporter(environment)
    do {
      let (result, _) = try MaskedFineTuning.run(
        model, masks: masks, schedule: schedule, scope: request.scope, on: dataset.dataset,
        configuration: configuration, threads: context.state.threads, isCancelled: environment.isCancelled,
        progress: progress)
      return (result.model, result)
    } catch {
      if error.kind == .cancelled { throw CommandError("interrupted", exitCode: .interrupted) }
      throw CommandError(error, parameter: "dataset")
    }
  }
}
