import Foundation
import JumpEngine

/// Turns values into the text users read: results, help defaults, error messages.
///
/// The output is stable across runs and platforms, because transcripts compare it verbatim.
public enum ValueFormatter {
  /// A plain number: whole numbers without a decimal point, others with up to 6 significant digits.
  public static func plain(_ value: Double) -> String { NumberText.plain(value) }

  /// A number with a fixed count of decimals: `97.98`.
  public static func fixed(_ value: Double, decimals: Int) -> String {
    NumberText.fixed(value, decimals: decimals)
  }

  /// A number as written in a script with its unit: `264KB`, `50%`.
  public static func number(_ literal: Double, unit: Unit) -> String {
    plain(literal) + unit.rawValue
  }

  /// A quantity in base units, shown in the most readable unit of its dimension: `905 KB`.
  public static func number(_ value: Double, dimension: Dimension) -> String {
    switch dimension {
    case .none: return plain(value)
    case .bytes: return bytes(value)
    case .time: return NumberText.seconds(value)
    case .frequency:
      if abs(value) >= 1e9 { return "\(plain(round3(value / 1e9))) GHz" }
      if abs(value) >= 1e6 { return "\(plain(round3(value / 1e6))) MHz" }
      if abs(value) >= 1e3 { return "\(plain(round3(value / 1e3))) kHz" }
      return "\(plain(value)) Hz"
    }
  }

  /// A byte count with a binary unit: `512 B`, `905 KB`, `1.25 MB`.
  public static func bytes(_ value: Double) -> String { NumberText.bytes(value) }

  /// A count in millions with two decimals, as model sizes are usually quoted: `0.23 M`.
  public static func millions(_ count: Int) -> String {
    String(format: "%.2f M", Double(count) / 1e6)
  }

  /// A count with thousands separators: `1,528,106`.
  public static func grouped(_ count: Int) -> String { NumberText.grouped(count) }

  /// How a value is printed as a statement's result.
  public static func display(_ value: Value) -> String {
    switch value {
    case .none: return ""
    case .number(let quantity): return number(quantity.value, dimension: quantity.dimension)
    case .string(let text): return text
    case .bool(let flag): return flag ? "true" : "false"
    case .word(let word): return word
    case .list(let elements): return "[" + elements.map(literal).joined(separator: ", ") + "]"
    case .model(let model): return model.summaryLine
    case .dataset(let dataset): return dataset.summaryLine
    case .target(let device): return deviceLine(device)
    case .record(let record): return record.text
    case .function(let function): return function.declaration
    }
  }

  /// How a value is written inside lists, help and `.vars`: strings quoted.
  public static func literal(_ value: Value) -> String {
    switch value {
    case .string(let text): return "\"\(text)\""
    case .model(let model): return model.name
    case .dataset(let dataset): return dataset.name
    case .target(let device): return device.name
    case .record(let record): return "<\(record.kind)>"
    default: return display(value)
    }
  }

  /// A value as it would be typed in a script (`8KB`, `133MHz`, `"text"`), for usage and help.
  public static func scriptLiteral(_ value: Value) -> String {
    guard case .number(let quantity) = value, quantity.dimension != .none else { return literal(value) }
    let units: [Unit]
    switch quantity.dimension {
    case .bytes: units = [.gigabytes, .megabytes, .kilobytes, .bytes]
    case .time: units = [.seconds, .milliseconds, .microseconds]
    case .frequency: units = [.gigahertz, .megahertz, .kilohertz, .hertz]
    case .none: units = [.none]
    }
    let unit =
      units.first { unit in
        let scaled = quantity.value / unit.scale
        return abs(scaled) >= 1 && (scaled * 1000).rounded() == scaled * 1000
      } ?? units[units.count - 1]
    return number(quantity.value / unit.scale, unit: unit)
  }

  /// One line describing a device: `pico: 264 KB RAM, 2 MB flash, 133 MHz, no FPU`.
  public static func deviceLine(_ device: Device) -> String {
    var parts = [
      "\(bytes(Double(device.ram))) RAM", "\(bytes(Double(device.flash))) flash",
      number(device.clockHz, dimension: .frequency),
    ]
    parts.append(device.hasFloat ? "FPU" : "no FPU")
    if let tops = device.tops { parts.append("\(plain(tops)) TOPS NPU") }
    return "\(device.name): " + parts.joined(separator: ", ")
  }

  private static func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
