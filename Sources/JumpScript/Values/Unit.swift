/// A unit suffix written after a number literal: `264KB`, `10ms`, `133MHz`, `50%`.
///
/// Every unit belongs to a ``Dimension`` and converts to that dimension's base unit (bytes,
/// seconds, hertz, or a plain fraction for `%`), so `1MB == 1024KB` holds in scripts.
public enum Unit: String, Sendable, CaseIterable {
  case none = ""
  case bytes = "B"
  case kilobytes = "KB"
  case megabytes = "MB"
  case gigabytes = "GB"
  case microseconds = "us"
  case milliseconds = "ms"
  case seconds = "s"
  case hertz = "Hz"
  case kilohertz = "kHz"
  case megahertz = "MHz"
  case gigahertz = "GHz"
  case percent = "%"

  /// What the unit measures.
  public var dimension: Dimension {
    switch self {
    case .none: return .none
    case .bytes, .kilobytes, .megabytes, .gigabytes: return .bytes
    case .microseconds, .milliseconds, .seconds: return .time
    case .hertz, .kilohertz, .megahertz, .gigahertz: return .frequency
    case .percent: return .none
    }
  }

  /// Multiplier to the dimension's base unit. KB is 1024 B, as device datasheets use it.
  public var scale: Double {
    switch self {
    case .none, .bytes, .seconds, .hertz: return 1
    case .kilobytes: return 1024
    case .megabytes: return 1024 * 1024
    case .gigabytes: return 1024 * 1024 * 1024
    case .microseconds: return 1e-6
    case .milliseconds: return 1e-3
    case .kilohertz: return 1e3
    case .megahertz: return 1e6
    case .gigahertz: return 1e9
    case .percent: return 0.01
    }
  }

  /// The unit for a suffix spelled exactly so, if any.
  public static func suffix(_ text: String) -> Unit? {
    guard !text.isEmpty else { return nil }
    return Unit(rawValue: text)
  }
}

/// The physical quantity a number measures; arithmetic and comparisons require matching dimensions.
public enum Dimension: String, Sendable {
  case none = "number"
  case bytes = "size"
  case time = "time"
  case frequency = "frequency"
}
