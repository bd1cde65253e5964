import JumpEngine

/// `report [memory] [MODEL] [vs MODEL] [on DATASET] [to PATH]`: what the model is (inputs and outputs,
/// ops, parameters, size, MACs per layer, and with a target its flash, RAM and latency budget) and,
/// for a compressed model, how it compares with the model it came from; `to` writes the compression
/// report as JSON, Markdown or a self-contained HTML page. `report memory` shows the arena plan.
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
        help: "for memory: the exported file's edges (default int8 for a quantized model, float otherwise)"),
      Parameter(
        "pointer_bits", .integer(range: 32...64),
        help:
          "for memory: pointer width of the TFLite Micro build that sizes the arena's persistent tail "
          + "(default 32, a microcontroller; 64 is TFLite Micro's Python interpreter on a PC)"),
    ],
    prepositions: [
      (.vs, Parameter("baseline", .model, help: "the model to compare with (default: the one it came from)")),
      (
        .on,
        Parameter("dataset", .dataset, help: "measure accuracy, and agreement and SQNR against the baseline")
      ),
      (
        .to,
        Parameter(
          "path", .outputPath(extensions: ["json", "md", "html"]),
          help: "write the compression report: .json (docs/schemas/report.schema.json), .md or .html")
      ),
    ],
    examples: [
      "report", "report teacher", "let r = report", "report on test",
      "report vs teacher on test to \"r.html\"",
      "report to \"report.json\"", "report memory", "let m = report memory teacher_int8",
    ])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let model = arguments.model("model") ?? context.state.workingModel else {
      throw CommandError("there is no model to report on", hint: "load one first: load \"model.onnx\"")
    }
    if arguments.string("section") == "memory" {
      let io = arguments.string("io").flatMap(TFLiteIO.init(rawValue:))
      let pointerBits = arguments.integer("pointer_bits")
      if let pointerBits, pointerBits != 32, pointerBits != 64 {
        throw CommandError(
          "pointer_bits must be 32 or 64, got \(pointerBits)", parameter: "pointer_bits")
      }
      let pointerBytes = pointerBits.map { $0 / 8 }
      return try memoryReport(model, io: io, device: context.state.target, pointerBytes: pointerBytes)
    }
    let baseline = arguments.model("baseline") ?? origin(of: model, in: context.state)
    let report = try compressionReport(
      model, baseline: baseline, dataset: arguments.dataset("dataset"), context: context)
    var fields = reportFields(report, nodes: model.summary.nodeCount)
    var text = render(model)
    if let device = context.state.target {
      let fits = report.verdicts.first { $0.budget == "flash" }?.fits ?? true
      text += "\n" + budgetLine(model.weightBytes, precision: model.precision, device: device, fits: fits)
    }
    let budget = budgetLines(report, quantized: model.quantized != nil, device: context.state.target)
    if !budget.isEmpty { text += "\n" + budget.joined(separator: "\n") }
    if !report.worstLayers.isEmpty {
      text += "\n  quantization error per layer (SQNR vs float, worst first, \(report.errorSamples) samples):"
      let rows = report.worstLayers.map { [$0.tensor, $0.layer, EvalCommand.decibels($0.decibels)] }
      text +=
        "\n"
        + TextTable(header: ["tensor", "layer", "SQNR"], rightAligned: [2], rows: rows).lines
        .map { "    " + $0 }.joined(separator: "\n")
    }
    if let calibration = context.state.calibrations[model.name],
      calibration.calibration.model.matches(model.model)
    {
      fields.append(("calibration", .string(calibration.calibration.methodDescription)))
      text += "\n" + calibration.reportLines.joined(separator: "\n")
    }
    if report.before != nil || report.dataset != nil { text += "\n" + comparisonText(report) }
    if let path = arguments.string("path") {
      let bytes = try write(report, to: path)
      fields.append(("path", .string(path)))
      text += "\nwrote \(path) (\(ValueFormatter.bytes(Double(bytes))))"
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
