import Foundation
import JumpEngine

/// Renders values as JSON for `--json` output: numbers in base units (bytes, seconds, hertz),
/// objects as their fields.
public enum JSONRendering {
  /// The JSON text of a value.
  public static func json(_ value: Value) -> String {
    switch value {
    case .none: return "null"
    case .number(let quantity): return number(quantity.value)
    case .string(let text), .word(let text): return string(text)
    case .bool(let flag): return flag ? "true" : "false"
    case .list(let elements): return "[" + elements.map(json).joined(separator: ",") + "]"
    case .function(let function): return string("def \(function.name)")
    case .record(let record):
      return object([("kind", string(record.kind))] + record.fields.map { ($0.name, json($0.value)) })
    case .model, .dataset, .target:
      let fields = value.fieldNames.compactMap { name in value.field(name).map { (name, json($0)) } }
      return object([("kind", string(value.typeName))] + fields)
    }
  }

  /// A JSON object from ordered key/JSON-text pairs.
  public static func object(_ pairs: [(String, String)]) -> String { JSONText.object(pairs) }

  /// A JSON number; non-finite values become null.
  public static func number(_ value: Double) -> String { JSONText.number(value) }

  /// A JSON string literal with escapes.
  public static func string(_ text: String) -> String { JSONText.string(text) }
}
