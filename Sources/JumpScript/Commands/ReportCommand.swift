import JumpEngine

/// `report [MODEL]`: what the model is: inputs and outputs, ops, parameters, size, MACs per layer.
enum ReportCommand: Command {
  static let signature = CommandSignature(
    name: "report",
    summary: "describe a model: inputs, outputs, ops, parameters, size and MACs per layer",
    positionals: [Parameter("model", .model, help: "the model (default: the working model)")],
    examples: ["report", "report teacher", "let r = report"])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let model = arguments.model("model") ?? context.state.workingModel else {
      throw CommandError("there is no model to report on", hint: "load one first: load \"model.onnx\"")
    }
    let summary = model.summary
    var fields: [(name: String, value: Value)] = [
      ("model", .string(model.name)),
      ("params", .number(Quantity(Double(summary.parameterCount)))),
      ("size", .number(.bytes(summary.fp32Bytes))),
      ("flash", .number(.bytes(summary.fp32Bytes))),
      ("macs", .number(Quantity(Double(summary.totalMACs)))),
      ("nodes", .number(Quantity(Double(summary.nodeCount)))),
      ("precision", .string(model.precision)),
    ]
    var text = render(model)
    if let device = context.state.target {
      let fits = summary.fp32Bytes <= (device.weightsInFlash ? device.flash : device.ram)
      fields.append(("fits_flash", .bool(fits)))
      text += "\n" + budgetLine(summary.fp32Bytes, device: device, fits: fits)
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
        "  quantized \(options.precision.rawValue) \(options.perChannel ? "per-channel" : "per-tensor") "
          + "(\(quantized.calibrationDescription)): \(quantized.graph.nodes.count) device ops, "
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

  static func budgetLine(_ bytes: Int, device: Device, fits: Bool) -> String {
    let memory = device.weightsInFlash ? "flash" : "RAM"
    let budget = device.weightsInFlash ? device.flash : device.ram
    return "  target  \(device.name): fp32 weights \(ValueFormatter.bytes(Double(bytes))) vs "
      + "\(ValueFormatter.bytes(Double(budget))) \(memory): \(fits ? "fits" : "does not fit")"
  }
}
