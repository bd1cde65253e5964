import JumpEngine

/// `report [memory] [MODEL]`: what the model is: inputs and outputs, ops, parameters, size, MACs per
/// layer, and with a target its flash, RAM and latency budget; `report memory` shows the arena plan.
enum ReportCommand: Command {
  static let signature = CommandSignature(
    name: "report",
    summary:
      "describe a model: inputs, outputs, ops, parameters, size, MACs per layer; `memory`: its RAM plan",
    positionals: [
      Parameter(
        "section", .choice(["memory"]),
        help: "memory: the TFLite Micro arena plan (peak, live tensors, timeline) instead of the summary"),
      Parameter("model", .model, help: "the model (default: the working model)"),
    ],
    options: [
      Parameter(
        "io", .choice(TFLiteIO.allCases.map(\.rawValue)),
        help: "for memory: the exported file's edges (default int8 for a quantized model, float otherwise)")
    ],
    examples: [
      "report", "report teacher", "let r = report", "report memory", "let m = report memory teacher_int8",
    ])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let model = arguments.model("model") ?? context.state.workingModel else {
      throw CommandError("there is no model to report on", hint: "load one first: load \"model.onnx\"")
    }
    if arguments.string("section") == "memory" {
      let io = arguments.string("io").flatMap(TFLiteIO.init(rawValue:))
      return try memoryReport(model, io: io, device: context.state.target)
    }
    let summary = model.summary
    var fields: [(name: String, value: Value)] = [
      ("model", .string(model.name)),
      ("params", .number(Quantity(Double(summary.parameterCount)))),
      ("size", .number(.bytes(model.weightBytes))),
      ("flash", .number(.bytes(model.weightBytes))),
      ("macs", .number(Quantity(Double(summary.totalMACs)))),
      ("nodes", .number(Quantity(Double(summary.nodeCount)))),
      ("precision", .string(model.precision)),
    ]
    var text = render(model)
    if let device = context.state.target {
      let fits = model.weightBytes <= (device.weightsInFlash ? device.flash : device.ram)
      fields.append(("fits_flash", .bool(fits)))
      text += "\n" + budgetLine(model.weightBytes, precision: model.precision, device: device, fits: fits)
    }
    let budget = budgetLines(model, device: context.state.target)
    fields += budget.fields
    if !budget.lines.isEmpty { text += "\n" + budget.lines.joined(separator: "\n") }
    if let quantized = model.quantized {
      let errors = try layerErrors(quantized, state: context.state, environment: context.environment)
      if let (worst, samples) = errors {
        fields.append(("worst_layers", .list(worst.prefix(5).map { .string($0.tensor) })))
        text += "\n  quantization error per layer (SQNR vs float, worst first, \(samples) samples):"
        let rows = worst.prefix(5).map { [$0.tensor, $0.producer ?? "", EvalCommand.decibels($0.decibels)] }
        text +=
          "\n"
          + TextTable(header: ["tensor", "layer", "SQNR"], rightAligned: [2], rows: rows).lines
          .map { "    " + $0 }.joined(separator: "\n")
      }
    }
    if let calibration = context.state.calibrations[model.name],
      calibration.calibration.model.matches(model.model)
    {
      fields.append(("calibration", .string(calibration.calibration.methodDescription)))
      text += "\n" + calibration.reportLines.joined(separator: "\n")
    }
    return .record(Record(kind: "report", fields: fields, text: text))
  }

  static func render(_ model: ModelValue) -> String {
    let summary = model.summary
    var lines: [String] = []
    var origin = "\(model.precision)"
    if let path = model.model.provenance.sourcePath {
      origin += ", from \(path.split(separator: "/").last.map(String.init) ?? path)"
    }
    origin += ", opset \(model.model.provenance.opset)"
    lines.append("\(model.name) (\(origin))")
    for input in model.model.inputs {
      lines.append("  input   \(input.name)  \(input.dtype) \(ValueInfo.format(input.shape))")
    }
    for output in model.model.outputs {
      lines.append("  output  \(output.name)  \(output.dtype) \(ValueInfo.format(output.shape))")
    }
    let histogram = summary.opHistogram.map { "\($0.op) \($0.count)" }.joined(separator: ", ")
    lines.append("  nodes   \(summary.nodeCount) (\(histogram))")
    lines.append(
      "  params  \(ValueFormatter.grouped(summary.parameterCount)), "
        + "\(ValueFormatter.bytes(Double(summary.fp32Bytes))) as fp32")
    lines.append("  MACs    \(ValueFormatter.grouped(summary.totalMACs)) per sample")
    if let quantized = model.quantized {
      let options = quantized.options
      lines.append(
        "  quantized \(options.precision.rawValue) \(options.perChannel ? "per-channel" : "per-tensor")"
          + (options.equalize ? ", equalized" : "") + (options.biasCorrection ? ", bias-corrected" : "")
          + " (\(quantized.calibrationDescription)): \(quantized.graph.nodes.count) device ops, "
          + "weights \(ValueFormatter.bytes(Double(model.weightBytes)))")
    }
    let layers = summary.layers.filter { $0.macs > 0 || $0.parameters > 0 }
    if !layers.isEmpty {
      let table = TextTable(
        header: ["layer", "op", "output", "params", "MACs"], rightAligned: [3, 4],
        rows: layers.map { layer in
          [
            layer.name, layer.op, layer.outputShape.map(String.init).joined(separator: "×"),
            ValueFormatter.grouped(layer.parameters), ValueFormatter.grouped(layer.macs),
          ]
        })
      lines.append("")
      lines.append(contentsOf: table.lines.map { "  " + $0 })
    }
    return lines.joined(separator: "\n")
  }

  /// Per-tensor SQNR of the quantized model against its lowered float graph, worst first, on up to 32
  /// samples of the dataset it was calibrated on (nil when that dataset is gone).
  static func layerErrors(
    _ quantized: QuantizedModel, state: SessionState, environment: RunEnvironment
  )
    throws(CommandError) -> ([TensorSQNR], Int)?
  {
    guard let dataset = state.dataset(named: quantized.calibrationDataset), dataset.dataset.count > 0 else {
      return nil
    }
    let count = min(32, dataset.dataset.count)
    do {
      let batch = try dataset.dataset.batch(0..<count)
      let errors = try QuantizationErrorReport.perTensor(
        lowered: quantized.lowered, quantized: quantized.graph, input: batch.x, threads: state.threads,
        isCancelled: environment.isCancelled)
      return (errors, count)
    } catch {
      throw CommandError(error)
    }
  }

  static func budgetLine(_ bytes: Int, precision: String, device: Device, fits: Bool) -> String {
    let memory = device.weightsInFlash ? "flash" : "RAM"
    let budget = device.weightsInFlash ? device.flash : device.ram
    return "  target  \(device.name): \(precision) weights \(ValueFormatter.bytes(Double(bytes))) vs "
      + "\(ValueFormatter.bytes(Double(budget))) \(memory): \(fits ? "fits" : "does not fit")"
  }
}
