import JumpEngine

/// Everything a session holds. A value type: a command works on a copy that replaces the state
/// only when the command succeeds, so a failed or cancelled command leaves the session as it was,
/// and `.undo` is a matter of keeping earlier copies.
public struct SessionState: Sendable {
  /// Models by name, in the order they were made.
  public private(set) var models: [ModelValue] = []
  /// The name of the working model: the one commands act on when no model is named.
  public var workingModelName: String?
  /// Datasets by name, in declaration order.
  public private(set) var datasets: [DatasetValue] = []
  /// Calibrations by the session name of the model they were made for (see `calibrate`).
  public var calibrations: [String: CalibrationValue] = [:]
  /// Devices known to the session (declared with `device`, usually by `use targets`).
  public private(set) var devices: [Device] = []
  /// The selected target device.
  public var target: Device?
  /// The seed for every random choice, if set.
  public var seed: UInt64?
  /// Threads the engine may use. One by default, so a transcript replays to the same numbers on
  /// any machine; `threads N` trades that for speed (results stay fixed for a given N).
  public var threads = 1
  /// The last top-1 accuracy `eval` measured per model, and on which dataset (the requirement
  /// vector reports it).
  public var measuredAccuracy: [String: (dataset: String, value: Double)] = [:]
  /// Global variables (`let` at top level, `for` variables at top level).
  public var globals: [String: Value] = [:]
  /// Functions defined with `def`.
  public var functions: [String: FunctionValue] = [:]
  /// Modules already loaded with `use`.
  public var usedModules: Set<String> = []
  /// Results of numbered cells or statements, for `_3`.
  public var results: [Int: Value] = [:]
  /// The most recent result, for `_`.
  public var lastResult: Value?

  /// An empty session.
  public init() {}

  /// The working model, if any.
  public var workingModel: ModelValue? {
    guard let name = workingModelName else { return models.last }
    return model(named: name)
  }

  /// The model with a name.
  public func model(named name: String) -> ModelValue? { models.first { $0.name == name } }

  /// The dataset with a name.
  public func dataset(named name: String) -> DatasetValue? { datasets.first { $0.name == name } }

  /// The device with a name.
  public func device(named name: String) -> Device? { devices.first { $0.name == name } }

  /// Adds or replaces a model and makes it the working model.
  public mutating func store(_ model: ModelValue) {
    models.removeAll { $0.name == model.name }
    models.append(model)
    workingModelName = model.name
  }

  /// Adds or replaces a dataset.
  public mutating func store(_ dataset: DatasetValue) {
    datasets.removeAll { $0.name == dataset.name }
    datasets.append(dataset)
  }

  /// Adds or replaces a device.
  public mutating func store(_ device: Device) {
    devices.removeAll { $0.name == device.name }
    devices.append(device)
    if target?.name == device.name { target = device }
  }

  /// A model name not yet taken, derived from `base` (`teacher`, `teacher_2`, ...).
  public func freshModelName(_ base: String) -> String {
    if model(named: base) == nil { return base }
    var counter = 2
    while model(named: "\(base)_\(counter)") != nil { counter += 1 }
    return "\(base)_\(counter)"
  }
}
