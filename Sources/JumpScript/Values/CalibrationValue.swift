import JumpEngine

/// A calibration held by the session for a model: the ranges `quantize` uses and `report` lists.
public struct CalibrationValue: Sendable {
  /// The session name of the model it was made for.
  public var modelName: String
  /// The session name of the dataset it streamed.
  public var datasetName: String
  /// The engine's result: method, samples, model identity and ranges per tensor.
  public var calibration: Calibration

  /// Wraps an engine calibration.
  public init(modelName: String, datasetName: String, calibration: Calibration) {
    self.modelName = modelName
    self.datasetName = datasetName
    self.calibration = calibration
  }

  /// How many tensors have a range.
  public var tensorCount: Int { calibration.ranges.count }

  /// How many tensors the method clipped (range narrower than the data's).
  public var clippedCount: Int { calibration.ranges.values.filter(\.isClipped).count }

  /// `calibrated teacher on operational: 200 samples, percentile 99.99, 14 tensors`.
  public var summaryLine: String {
    "calibrated \(modelName) on \(datasetName): \(calibration.sampleCount) samples, "
      + "\(calibration.methodDescription), \(tensorCount) tensors"
  }

  /// The result record: fields scripts read (`c.method`, `c.samples`, `c.tensors`, ...).
  public var record: Record {
    var fields: [(name: String, value: Value)] = [
      ("model", .string(modelName)),
      ("dataset", .string(datasetName)),
      ("method", .string(calibration.method.rawValue)),
    ]
    if let percentile = calibration.percentile {
      fields.append(("percentile", .number(Quantity(percentile))))
    }
    fields.append(("samples", .number(Quantity(Double(calibration.sampleCount)))))
    fields.append(("tensors", .number(Quantity(Double(tensorCount)))))
    fields.append(("clipped", .number(Quantity(Double(clippedCount)))))
    fields.append(("bins", .number(Quantity(Double(calibration.bins)))))
    return Record(kind: "calibration", fields: fields, text: summaryLine)
  }

  /// The compact listing `report` shows: a heading, then tensor, min, max and method per tensor, with the
  /// data's own range beside the tensors the method clipped.
  var reportLines: [String] {
    let method = calibration.methodDescription
    let rows = calibration.orderedRanges.map { entry -> [String] in
      let range = entry.range
      let data =
        "data \(ValueFormatter.plain(Double(range.observedMin)))...\(ValueFormatter.plain(Double(range.observedMax)))"
      return [
        entry.name, ValueFormatter.plain(Double(range.min)), ValueFormatter.plain(Double(range.max)), method,
        range.isClipped ? data : "",
      ]
    }
    let table = TextTable(header: ["tensor", "min", "max", "method", ""], rightAligned: [1, 2], rows: rows)
    return [
      "  calibration  \(method) on \(datasetName), \(calibration.sampleCount) samples, \(tensorCount) tensors",
      "",
    ] + table.lines.map { "  " + $0 }
  }
}
