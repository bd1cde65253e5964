import JumpEngine

/// A value of the language: what expressions evaluate to and what commands return.
public enum Value: Sendable {
  /// The result of a statement that produces nothing (`seed 42`).
  case none
  case number(Quantity)
  case string(String)
  case bool(Bool)
  case list([Value])
  /// A bare word that names nothing in scope, such as `int8` passed on to a function.
  case word(String)
  case model(ModelValue)
  case dataset(DatasetValue)
  case target(Device)
  /// A structured result (a report, an export receipt) with named fields.
  case record(Record)
  case function(FunctionValue)

  /// The type's name as users see it in error messages.
  public var typeName: String {
    switch self {
    case .none: return "nothing"
    case .number(let quantity): return quantity.dimension == .none ? "number" : quantity.dimension.rawValue
    case .string: return "string"
    case .bool: return "boolean"
    case .list: return "list"
    case .word: return "word"
    case .model: return "model"
    case .dataset: return "dataset"
    case .target: return "target"
    case .record(let record): return record.kind
    case .function: return "function"
    }
  }

  /// Field names readable with `.` on this value, in display order.
  public var fieldNames: [String] {
    switch self {
    case .model(let model): return model.fields.map(\.0)
    case .dataset(let dataset): return dataset.fields.map(\.0)
    case .target(let device): return device.fields.map(\.0)
    case .record(let record): return record.fields.map(\.name)
    case .list: return ["count"]
    default: return []
    }
  }

  /// The value of a field, or nil when there is no such field.
  public func field(_ name: String) -> Value? {
    switch self {
    case .model(let model): return model.fields.first { $0.0 == name }?.1
    case .dataset(let dataset): return dataset.fields.first { $0.0 == name }?.1
    case .target(let device): return device.fields.first { $0.0 == name }?.1
    case .record(let record): return record.fields.first { $0.name == name }?.value
    case .list(let elements): return name == "count" ? .number(Quantity(Double(elements.count))) : nil
    default: return nil
    }
  }
}

/// A named structured result: a report, an export receipt, a summary.
public struct Record: Sendable {
  /// What it is, as users see it: `report`, `export`.
  public var kind: String
  /// Its fields in display order.
  public var fields: [(name: String, value: Value)]
  /// The plain-text rendering printed as the command's result.
  public var text: String

  /// Creates a record.
  public init(kind: String, fields: [(name: String, value: Value)], text: String) {
    self.kind = kind
    self.fields = fields
    self.text = text
  }
}

extension Device {
  /// The fields scripts read: `target.ram`, `target.flash`, ...
  var fields: [(String, Value)] {
    var result: [(String, Value)] = [
      ("name", .string(name)),
      ("ram", .number(.bytes(ram))),
      ("flash", .number(.bytes(flash))),
      ("clock", .number(Quantity(clockHz, .frequency))),
      ("float", .bool(hasFloat)),
      ("overhead", .number(.bytes(runtimeOverhead))),
      ("weights_in_flash", .bool(weightsInFlash)),
      ("int8_macs_per_cycle", .number(Quantity(int8MACsPerCycle))),
      ("float_macs_per_cycle", .number(Quantity(floatMACsPerCycle))),
      ("kind", .string(kind.rawValue)),
      ("compiler_quantizes", .bool(compilerQuantizes)),
    ]
    if let tops { result.append(("tops", .number(Quantity(tops)))) }
    return result
  }
}
