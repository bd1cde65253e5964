import JumpEngine

/// A command's arguments after binding: each parameter's value by name, defaults filled in.
public struct BoundArguments: Sendable {
  /// Values by parameter name (positionals, options and prepositional parameters alike).
  public internal(set) var values: [String: Value] = [:]
  /// Where each given argument was written, for carets on errors.
  public internal(set) var spans: [String: SourceSpan] = [:]
  /// The `sha256:` pin, if one was written.
  public internal(set) var pin: String?
  /// The bound name of a binding command (`dataset NAME = ...`).
  public internal(set) var binding: String?

  /// Creates an empty binding.
  public init() {}

  /// Whether the argument was written (rather than defaulted).
  public func isGiven(_ name: String) -> Bool { spans[name] != nil }

  /// The value of a parameter, if given or defaulted.
  public func value(_ name: String) -> Value? { values[name] }

  /// A string or word argument.
  public func string(_ name: String) -> String? {
    switch values[name] {
    case .string(let text)?, .word(let text)?: return text
    case .number(let quantity)?: return ValueFormatter.plain(quantity.value)
    default: return nil
    }
  }

  /// A number argument in base units.
  public func number(_ name: String) -> Double? {
    if case .number(let quantity)? = values[name] { return quantity.value }
    return nil
  }

  /// A whole-number argument.
  public func integer(_ name: String) -> Int? {
    guard let value = number(name), value.rounded() == value, abs(value) < 9e15 else { return nil }
    return Int(value)
  }

  /// A boolean argument.
  public func bool(_ name: String) -> Bool? {
    if case .bool(let flag)? = values[name] { return flag }
    return nil
  }

  /// A model argument.
  public func model(_ name: String) -> ModelValue? {
    if case .model(let model)? = values[name] { return model }
    return nil
  }

  /// A dataset argument.
  public func dataset(_ name: String) -> DatasetValue? {
    if case .dataset(let dataset)? = values[name] { return dataset }
    return nil
  }

  /// A device argument.
  public func device(_ name: String) -> Device? {
    if case .target(let device)? = values[name] { return device }
    return nil
  }
}
