import JumpEngine

/// The result of `prune`: sparsity per layer and in total, parameters, bytes and MACs before and after.
///
/// Unstructured pruning says plainly that the zeros are still stored: a dense .onnx or .tflite keeps
/// every weight, so only a sparse format or compression would gain from them.
struct PruneRecord {
  let value: ModelValue
  let from: ModelValue
  let request: PruneRequest
  let report: SparsityReport
  let removal: StructuredPruning.Removal?
  let training: TrainingResult?

  var record: Record {
    let before = report.before
    let after = report.after
    var lines: [String] = []
    var head = "\(value.name): "
    if let removal {
      let removed = removal.channels.values.reduce(0) { $0 + $1.count }
      let total = removal.channelCounts.values.reduce(0, +)
      head +=
        "structured \(request.scope.rawValue), \(removed) of \(total) channels removed "
        + "(\(percent(total == 0 ? 0 : Double(removed) / Double(total)))) in \(removal.channelCounts.count) layers"
    } else {
      head +=
        "\(percent(report.totalSparsity)) sparse (unstructured \(request.scope.rawValue) \(request.schedule.rawValue))"
    }
    if let training, let last = training.epochs.last, let dataset = request.dataset {
      head +=
        ", fine-tuned \(request.epochs) epoch\(request.epochs == 1 ? "" : "s") on \(dataset.name) "
        + "(loss \(ValueFormatter.fixed(last.loss, decimals: 4)), accuracy \(percent(last.accuracy)))"
      if training.validation.indices.contains(training.keptEpoch - 1) {
        head +=
          ", "
          + QuantizeCommand.keptEpochNote(
            epoch: training.keptEpoch, of: request.epochs,
            validation: training.validation[training.keptEpoch - 1])
      }
    }
    lines.append(head)
    var sizes =
      "params \(ValueFormatter.grouped(before.parameterCount)) -> \(ValueFormatter.grouped(after.parameterCount))"
    if removal == nil { sizes += " (\(ValueFormatter.grouped(report.nonzeroParameters)) nonzero)" }
    sizes +=
      ", weights \(ValueFormatter.bytes(Double(before.fp32Bytes))) -> \(ValueFormatter.bytes(Double(after.fp32Bytes)))"
      + ", MACs \(ValueFormatter.millions(before.totalMACs)) -> \(ValueFormatter.millions(after.totalMACs))"
    lines.append(sizes)
    if removal == nil {
      lines.append(
        "zeros are still stored: dense .onnx and .tflite files keep their size (they compress better)")
    }
    lines += TextTable(header: columns, rightAligned: removal == nil ? [2, 3, 4] : [2, 3], rows: rows).lines
    if let removal, !removal.skipped.isEmpty {
      lines.append("kept whole: " + removal.skipped.joined(separator: "; "))
    }
    return Record(kind: "prune", fields: fields, text: lines.joined(separator: "\n"))
  }

  var columns: [String] {
    removal == nil
      ? ["layer", "op", "weights", "zeros", "sparsity"] : ["layer", "op", "channels", "weights"]
  }

  var rows: [[String]] {
    report.layers.map { layer in
      if removal != nil {
        let channels =
          layer.channels == layer.channelsBefore
          ? "\(layer.channels)" : "\(layer.channelsBefore) -> \(layer.channels)"
        let weights =
          layer.count == layer.countBefore
          ? ValueFormatter.grouped(layer.count)
          : "\(ValueFormatter.grouped(layer.countBefore)) -> \(ValueFormatter.grouped(layer.count))"
        return [layer.node, layer.op, channels, weights]
      }
      return [
        layer.node, layer.op, ValueFormatter.grouped(layer.count), ValueFormatter.grouped(layer.zeros),
        percent(layer.sparsity),
      ]
    }
  }

  var fields: [(name: String, value: Value)] {
    var fields: [(name: String, value: Value)] = [
      ("name", .string(value.name)), ("structured", .bool(removal != nil)),
      ("sparsity", .number(Quantity(report.totalSparsity))),
      ("params_before", .number(Quantity(Double(report.before.parameterCount)))),
      ("params", .number(Quantity(Double(report.after.parameterCount)))),
      ("nonzero_params", .number(Quantity(Double(report.nonzeroParameters)))),
      ("size_before", .number(.bytes(report.before.fp32Bytes))),
      ("size", .number(.bytes(report.after.fp32Bytes))),
      ("macs_before", .number(Quantity(Double(report.before.totalMACs)))),
      ("macs", .number(Quantity(Double(report.after.totalMACs)))),
    ]
    if let removal {
      fields.append(
        ("channels_removed", .number(Quantity(Double(removal.channels.values.reduce(0) { $0 + $1.count })))))
    }
    if let last = training?.epochs.last {
      fields.append(("train_loss", .number(Quantity(last.loss))))
      fields.append(("train_accuracy", .number(Quantity(last.accuracy))))
    }
    if let training, training.validation.indices.contains(training.keptEpoch - 1) {
      fields.append(("kept_epoch", .number(Quantity(Double(training.keptEpoch)))))
      fields.append(
        ("validation_accuracy", .number(Quantity(training.validation[training.keptEpoch - 1].accuracy))))
    }
    return fields
  }

  func percent(_ fraction: Double) -> String { ValueFormatter.fixed(fraction * 100, decimals: 1) + "%" }
}
