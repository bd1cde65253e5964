import Foundation

/// The pieces of JSON text the engine's documents are written with: keys keep their order, so the
/// same report gives the same bytes.
public enum JSONText {
  /// A JSON object from ordered key/JSON-text pairs.
  public static func object(_ pairs: [(String, String)]) -> String {
    "{" + pairs.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
  }

  /// A JSON array of JSON texts.
  public static func array(_ elements: [String]) -> String { "[" + elements.joined(separator: ",") + "]" }

  /// A JSON number; non-finite values become null (JSON has no infinity).
  public static func number(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }

  /// A JSON number, or null when absent.
  public static func number(_ value: Double?) -> String { value.map { number($0) } ?? "null" }

  /// A JSON integer, or null when absent.
  public static func integer(_ value: Int?) -> String { value.map(String.init) ?? "null" }

  /// A JSON string, or null when absent.
  public static func string(_ text: String?) -> String { text.map { string($0) } ?? "null" }

  /// `true` or `false`.
  public static func bool(_ flag: Bool) -> String { flag ? "true" : "false" }

  /// A JSON string literal with escapes.
  public static func string(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      default:
        if scalar.value < 0x20 {
          result += String(format: "\\u%04x", scalar.value)
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }
}
