import Foundation

/// Numbers as people read them in results and reports: stable across runs and platforms, because
/// transcripts compare them verbatim.
public enum NumberText {
  /// A plain number: whole numbers without a decimal point, others with up to 6 significant digits.
  public static func plain(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
    var text = String(format: "%.6g", value)
    if text.contains("e") {
      // %g writes e-05; scripts write 1e-5.
      let parts = text.split(separator: "e")
      if parts.count == 2, let exponent = Int(parts[1]) { text = "\(parts[0])e\(exponent)" }
    }
    return text
  }

  /// A number with a fixed count of decimals: `97.98`.
  public static func fixed(_ value: Double, decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
  }

  /// A byte count with a binary unit: `512 B`, `905 KB`, `1.25 MB`.
  public static func bytes(_ value: Double) -> String {
    let magnitude = abs(value)
    if magnitude < 1024 { return "\(plain(value.rounded())) B" }
    if magnitude < 1024 * 1024 { return "\(plain((value / 1024).rounded())) KB" }
    if magnitude < 1024 * 1024 * 1024 { return "\(plain(hundredths(value / 1_048_576))) MB" }
    return "\(plain(hundredths(value / 1_073_741_824))) GB"
  }

  /// A count with thousands separators: `1,528,106`.
  public static func grouped(_ count: Int) -> String {
    let digits = String(abs(count))
    var result = ""
    for (offset, character) in digits.enumerated() {
      if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
      result.append(character)
    }
    return count < 0 ? "-" + result : result
  }

  /// A duration in seconds in the most readable unit: `10.111 s`, `4.2 ms`, `850 us`.
  public static func seconds(_ value: Double) -> String {
    if abs(value) >= 1 || value == 0 { return "\(plain(thousandths(value))) s" }
    if abs(value) >= 1e-3 { return "\(plain(thousandths(value * 1e3))) ms" }
    return "\(plain(thousandths(value * 1e6))) us"
  }

  /// A fraction as a percentage with two decimals: `97.98%`.
  public static func percent(_ fraction: Double) -> String { fixed(fraction * 100, decimals: 2) + "%" }

  /// Decibels with one decimal, `inf dB` for an exact match.
  public static func decibels(_ value: Double) -> String {
    value.isInfinite ? "inf dB" : fixed(value, decimals: 1) + " dB"
  }

  private static func hundredths(_ value: Double) -> Double { (value * 100).rounded() / 100 }
  private static func thousandths(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
