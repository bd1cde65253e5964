import JumpEngine

/// A model held by the session under a name, with how it was made.
public struct ModelValue: Sendable {
  /// The session name: `teacher`, `pruned_0.5`.
  public var name: String
  /// The engine's model.
  public var model: Model
  /// Counts computed once when the model is created.
  public var summary: ModelSummary
  /// The stages that produced it, oldest first: `load teacher.onnx`, ...
  public var lineage: [String]
  /// The device graph, when the model has been quantized; `model` is then its float origin.
  public var quantized: QuantizedModel?

  /// Wraps an engine model, summarising it.
  public init(name: String, model: Model, lineage: [String], quantized: QuantizedModel? = nil) {
    self.name = name
    self.model = model
    self.summary = ModelSummary(model)
    self.lineage = lineage
    self.quantized = quantized
  }

  /// The precision of its weights, as reports name it.
  public var precision: String { quantized.map { $0.options.precision.rawValue } ?? "fp32" }

  /// Bytes of weights and other constants as the device stores them.
  public var weightBytes: Int { quantized?.graph.constantBytes ?? summary.fp32Bytes }

  /// `teacher: 14 nodes, 0.23 M params, fp32, 905 KB`.
  public var summaryLine: String {
    "\(name): \(summary.nodeCount) nodes, \(ValueFormatter.millions(summary.parameterCount)) params, "
      + "\(precision), \(ValueFormatter.bytes(Double(weightBytes)))"
  }

  /// The fields scripts read: `model.params`, `model.macs`, ...
  var fields: [(String, Value)] {
    [
      ("name", .string(name)),
      ("nodes", .number(Quantity(Double(summary.nodeCount)))),
      ("params", .number(Quantity(Double(summary.parameterCount)))),
      ("size", .number(.bytes(weightBytes))),
      ("macs", .number(Quantity(Double(summary.totalMACs)))),
      ("precision", .string(precision)),
      ("inputs", .list(model.inputs.map { .string($0.description) })),
      ("outputs", .list(model.outputs.map { .string($0.description) })),
      ("lineage", .list(lineage.map { .string($0) })),
    ]
  }
}

/// A dataset declared with `dataset NAME = PATH`.
public struct DatasetValue: Sendable {
  /// The session name.
  public var name: String
  /// The path as written.
  public var path: String
  /// The view of the data: which samples, in what order, transformed how (data streamed on demand).
  public var dataset: Dataset

  /// Wraps an engine dataset view.
  public init(name: String, path: String, dataset: Dataset) {
    self.name = name
    self.path = path
    self.dataset = dataset
  }

  /// The samples on disk (headers read, data streamed on demand).
  public var source: DatasetSource { dataset.source }

  /// `operational: 200 samples of 1×32×32 float32, no labels`.
  public var summaryLine: String {
    let shape = dataset.sampleShape.map(String.init).joined(separator: "×")
    var labels = source.hasLabels ? "labels" : "no labels"
    if let classes = source.classes { labels += " (\(classes.count) classes)" }
    return "\(name): \(dataset.count) samples of \(shape) \(source.dtype), \(labels)"
  }

  /// The fields scripts read: `dataset.samples`, `dataset.shape`, `dataset.classes`, ...
  var fields: [(String, Value)] {
    [
      ("name", .string(name)),
      ("path", .string(path)),
      ("samples", .number(Quantity(Double(dataset.count)))),
      ("shape", .list(dataset.sampleShape.map { Value.number(Quantity(Double($0))) })),
      ("dtype", .string(source.dtype.description)),
      ("labels", .bool(source.hasLabels)),
      ("classes", .list((source.classes ?? []).map { Value.string($0) })),
      ("format", .string(source.format.rawValue)),
    ]
  }
}
