import JumpEngine

/// `eval [MODEL] on DATASET [vs MODEL]`: runs a model over a dataset and measures top-1 accuracy
/// (when the data has labels), and agreement and output error against a reference model.
enum EvalCommand: Command {
  static let signature = CommandSignature(
    name: "eval",
    summary: "measure a model on a dataset: accuracy, agreement and error against a reference, speed",
    positionals: [Parameter("model", .model, help: "the model to run (default: the working model)")],
    options: [
      Parameter(
        "batch", .integer(range: 1...4096), default: .number(Quantity(64)), help: "samples per batch"),
      ArithmeticOption.parameter,
    ],
    prepositions: [
      (.on, Parameter("dataset", .dataset, required: true, help: "the data to run")),
      (.vs, Parameter("reference", .model, help: "a model to compare outputs with (e.g. the teacher)")),
    ],
    examples: ["eval on test", "let e = eval pruned on test vs teacher", "e.accuracy"])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let model = arguments.model("model") ?? context.state.workingModel else {
      throw CommandError("there is no model to evaluate", hint: "load one first: load \"model.onnx\"")
    }
    guard let dataset = arguments.dataset("dataset") else { throw CommandError("eval needs 'on DATASET'") }
    let reference = arguments.model("reference")
    let batch = arguments.integer("batch") ?? 64
    let threads = context.state.threads
    let arithmetic = ArithmeticOption.value(arguments)
    let referenceExecutor: (any BatchExecutor)?
    do {
      referenceExecutor = try reference.map { value throws(EngineError) in
        try value.makeExecutor(batchSize: batch, threads: threads, arithmetic: arithmetic)
      }
    } catch {
      throw CommandError(error, parameter: "reference")
    }
    var comparison = OutputComparison()
    let pass = DatasetPass(
      model: model, dataset: dataset, batchSize: batch, threads: threads, environment: context.environment,
      label: "eval", arithmetic: arithmetic)
    let summary = try pass.run { (batch, outputs) throws(CommandError) in
      var referenceOutputs: Tensor?
      if let referenceExecutor {
        do throws(EngineError) {
          referenceOutputs = try referenceExecutor.run(input: batch.x, isCancelled: { false }).first
        } catch {
          throw CommandError(error, parameter: "reference")
        }
      }
      let labels = batch.y.map { $0.asInt64s().map(Int.init) }
      comparison.add(outputs: outputs, labels: labels, reference: referenceOutputs)
    }
    if let accuracy = comparison.accuracy {
      context.state.measuredAccuracy[model.name] = (dataset.name, accuracy)
    }
    var result = record(model, dataset, reference, comparison, summary)
    if model.quantized != nil || reference?.quantized != nil, arithmetic != .tfliteMicro {
      result.fields.append(("arithmetic", .string(arithmetic.rawValue)))
      result.text += " (\(arithmetic.runtimeName) arithmetic)"
    }
    return .record(result)
  }

  static func record(
    _ model: ModelValue, _ dataset: DatasetValue, _ reference: ModelValue?, _ comparison: OutputComparison,
    _ summary: DatasetPass.Summary
  ) -> Record {
    let rate = summary.seconds > 0 ? Double(summary.samples) / summary.seconds : 0
    var fields: [(name: String, value: Value)] = [
      ("model", .string(model.name)), ("dataset", .string(dataset.name)),
      ("samples", .number(Quantity(Double(summary.samples)))),
    ]
    var parts: [String] = []
    if let accuracy = comparison.accuracy {
      fields.append(("accuracy", .number(Quantity(accuracy))))
      fields.append(("correct", .number(Quantity(Double(comparison.correct)))))
      parts.append("accuracy \(percent(accuracy)) (\(comparison.correct)/\(comparison.labelled))")
    } else {
      parts.append("\(summary.samples) samples, no labels")
    }
    if let reference, let agreement = comparison.agreement {
      fields.append(("agreement", .number(Quantity(agreement))))
      fields.append(("max_abs_error", .number(Quantity(comparison.maxAbsoluteError))))
      fields.append(("mean_abs_error", .number(Quantity(comparison.meanAbsoluteError ?? 0))))
      fields.append(("sqnr_db", .number(Quantity(comparison.sqnrDecibels ?? .infinity))))
      parts.append("agreement \(percent(agreement)) with \(reference.name)")
      parts.append(
        "max abs error \(ValueFormatter.plain(comparison.maxAbsoluteError)), "
          + "mean \(ValueFormatter.plain(comparison.meanAbsoluteError ?? 0)), "
          + "SQNR \(decibels(comparison.sqnrDecibels ?? .infinity))")
    }
    fields.append(("samples_per_second", .number(Quantity(rate.rounded()))))
    parts.append("\(ValueFormatter.grouped(Int(rate.rounded()))) samples/s")
    return Record(
      kind: "eval", fields: fields, text: "\(model.name) on \(dataset.name): " + parts.joined(separator: ", ")
    )
  }

  static func percent(_ fraction: Double) -> String { NumberText.percent(fraction) }

  static func decibels(_ value: Double) -> String { NumberText.decibels(value) }
}
