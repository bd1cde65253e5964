/// The type of a command parameter. It drives checking, conversion, completion and help.
public indirect enum ParameterType: Sendable {
  /// A number of a dimension, optionally bounded (bounds in base units).
  case number(Dimension, range: ClosedRange<Double>?)
  /// A whole number, optionally bounded.
  case integer(range: ClosedRange<Int>?)
  /// Free text.
  case string
  /// A file to read (must exist at run time; `check` verifies literal paths) with allowed extensions.
  case inputPath(extensions: [String])
  /// A file to write, with allowed extensions.
  case outputPath(extensions: [String])
  /// One word out of a fixed set.
  case choice([String])
  /// `true` or `false`.
  case boolean
  /// The name of a loaded model.
  case model
  /// The name of a declared dataset.
  case dataset
  /// The name of a declared device.
  case target
  /// A new name to bind (after `as`, or the `NAME` of `dataset NAME = PATH`).
  case newName
  /// A stdlib module name.
  case module
  /// A list of values of one type.
  case list(ParameterType)
  /// A plain number within `range`, or one of a few words (`width=0.5` or `width=auto`).
  case numberOrWord(range: ClosedRange<Double>, words: [String])

  /// Whether this is the type of a new name (after `as`).
  public var isNewName: Bool {
    if case .newName = self { return true }
    return false
  }

  /// How the type is described in help and errors.
  public var description: String {
    switch self {
    case .number(let dimension, let range):
      let base = dimension == .none ? "number" : dimension.rawValue
      guard let range else { return base }
      return "\(base) in \(ValueFormatter.number(range.lowerBound, dimension: dimension))"
        + "...\(ValueFormatter.number(range.upperBound, dimension: dimension))"
    case .integer(let range):
      guard let range else { return "integer" }
      return "integer in \(range.lowerBound)...\(range.upperBound)"
    case .string: return "string"
    case .inputPath(let extensions), .outputPath(let extensions):
      return extensions.isEmpty ? "path" : "path (\(extensions.map { "." + $0 }.joined(separator: ", ")))"
    case .choice(let words): return words.joined(separator: "|")
    case .boolean: return "true|false"
    case .model: return "model"
    case .dataset: return "dataset"
    case .target: return "target"
    case .newName: return "name"
    case .module: return "module"
    case .list(let element): return "[\(element.description), ...]"
    case .numberOrWord(let range, let words):
      return
        "number in \(ValueFormatter.plain(range.lowerBound))...\(ValueFormatter.plain(range.upperBound)) or "
        + words.joined(separator: ", ")
    }
  }
}

/// One positional parameter, option or prepositional argument of a command.
public struct Parameter: Sendable {
  /// The name: the option key, or how a positional is referred to in help.
  public var name: String
  /// Its type.
  public var type: ParameterType
  /// Whether it must be given.
  public var isRequired: Bool
  /// The value used when the argument is not given.
  public var defaultValue: Value?
  /// One line of help.
  public var help: String

  /// Creates a parameter.
  public init(
    _ name: String, _ type: ParameterType, required: Bool = false, default defaultValue: Value? = nil,
    help: String
  ) {
    self.name = name
    self.type = type
    self.isRequired = required
    self.defaultValue = defaultValue
    self.help = help
  }
}

extension ParameterType {
  /// Whether a bare word for this parameter names a model, dataset or device of the session.
  var namesASessionObject: Bool {
    switch self {
    case .model, .dataset, .target: return true
    default: return false
    }
  }
}
