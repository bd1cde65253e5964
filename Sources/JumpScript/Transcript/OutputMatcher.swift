import Foundation

/// Compares a recorded line with an actual one. Recordings may use `[..]` for any text within
/// the line and `~TOL` right after a number for an absolute tolerance (`0.973~0.01`).
public enum OutputMatcher {
  /// Whether `actual` matches the recorded `expected` line.
  public static func matches(expected: String, actual: String) -> Bool {
    if expected == actual { return true }
    guard expected.contains("[..]") || expected.contains("~") else { return false }
    let pieces = pieces(of: expected)
    var pattern = "^"
    var tolerances: [(Double, Double)] = []
    for piece in pieces {
      switch piece {
      case .literal(let text): pattern += NSRegularExpression.escapedPattern(for: text)
      case .wildcard: pattern += ".*?"
      case .number(let value, let tolerance):
        pattern += "(-?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"
        tolerances.append((value, tolerance))
      }
    }
    pattern += "$"
    guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
    let range = NSRange(actual.startIndex..., in: actual)
    guard let match = regex.firstMatch(in: actual, range: range) else { return false }
    for (index, (value, tolerance)) in tolerances.enumerated() {
      guard let captured = Range(match.range(at: index + 1), in: actual),
        let number = Double(actual[captured]),
        abs(number - value) <= tolerance + 1e-12
      else { return false }
    }
    return true
  }

  private enum Piece {
    case literal(String)
    case wildcard
    case number(Double, tolerance: Double)
  }

  private static func pieces(of expected: String) -> [Piece] {
    let numberWithTolerance = try? NSRegularExpression(
      pattern:
        "(-?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?)~((?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"
    )
    var result: [Piece] = []
    let segments = expected.components(separatedBy: "[..]")
    for (index, segment) in segments.enumerated() {
      if index > 0 { result.append(.wildcard) }
      var cursor = segment.startIndex
      let range = NSRange(segment.startIndex..., in: segment)
      for match in numberWithTolerance?.matches(in: segment, range: range) ?? [] {
        guard let whole = Range(match.range, in: segment),
          let valueRange = Range(match.range(at: 1), in: segment),
          let toleranceRange = Range(match.range(at: 2), in: segment),
          let value = Double(segment[valueRange]), let tolerance = Double(segment[toleranceRange])
        else { continue }
        if cursor < whole.lowerBound { result.append(.literal(String(segment[cursor..<whole.lowerBound]))) }
        result.append(.number(value, tolerance: tolerance))
        cursor = whole.upperBound
      }
      if cursor < segment.endIndex { result.append(.literal(String(segment[cursor...]))) }
    }
    return result
  }
}
