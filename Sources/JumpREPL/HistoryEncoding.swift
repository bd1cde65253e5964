/// libedit's history file format: a `_HiStOrY_V2_` line, then one vis(3)-encoded entry per line.
///
/// We append entries ourselves (one `write` per command, so a crash loses nothing and two
/// sessions never clobber each other), which means writing exactly what `H_LOAD` expects. The
/// encoding mirrors `strvis(dst, src, VIS_WHITE)` as libedit's `H_SAVE` uses it: space, tab,
/// newline and backslash become three-digit octal escapes (`\040`, `\011`, `\012`, `\134`),
/// other ASCII control characters become `\^X` (DEL is `\^?`), and printable text, including
/// non-ASCII letters, is kept as UTF-8. Decoding accepts every form `strunvis` accepts that
/// libedit writes, so files written by libedit itself read back too.
public enum HistoryEncoding {
  /// The first line of every libedit history file.
  public static let header = "_HiStOrY_V2_"

  /// Encodes one history entry as a single line (without the line feed).
  public static func encode(_ entry: String) -> String {
    var out = ""
    for scalar in entry.unicodeScalars {
      let value = scalar.value
      switch value {
      case 0x20, 0x09, 0x0A, 0x5C:
        out += octal(UInt8(value))
      case 0x00..<0x20:
        out += "\\^" + String(UnicodeScalar(UInt8(value) + 0x40))
      case 0x7F:
        out += "\\^?"
      case 0x21..<0x7F:
        out.unicodeScalars.append(scalar)
      default:
        if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
          for byte in String(scalar).utf8 { out += octal(byte) }
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }

  /// Decodes one line of a history file back into the entry, or nil if it is malformed.
  public static func decode(_ line: Substring) -> String? {
    var bytes: [UInt8] = []
    let source = Array(line.utf8)
    var index = 0
    func next() -> UInt8? {
      guard index < source.count else { return nil }
      defer { index += 1 }
      return source[index]
    }
    while let byte = next() {
      guard byte == UInt8(ascii: "\\") else {
        bytes.append(byte)
        continue
      }
      guard let escape = next() else { return nil }
      switch escape {
      case UInt8(ascii: "0")...UInt8(ascii: "7"):
        var value = Int(escape - UInt8(ascii: "0"))
        for _ in 0..<2 {
          guard index < source.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(source[index])
          else { break }
          value = value * 8 + Int(source[index] - UInt8(ascii: "0"))
          index += 1
        }
        bytes.append(UInt8(truncatingIfNeeded: value))
      case UInt8(ascii: "M"):
        guard let kind = next(), let character = next() else { return nil }
        switch kind {
        case UInt8(ascii: "-"): bytes.append(character | 0x80)
        case UInt8(ascii: "^"): bytes.append(control(character) | 0x80)
        default: return nil
        }
      case UInt8(ascii: "^"):
        guard let character = next() else { return nil }
        bytes.append(control(character))
      case UInt8(ascii: "n"): bytes.append(0x0A)
      case UInt8(ascii: "t"): bytes.append(0x09)
      case UInt8(ascii: "r"): bytes.append(0x0D)
      case UInt8(ascii: "s"): bytes.append(0x20)
      case UInt8(ascii: "\\"): bytes.append(0x5C)
      default: bytes.append(escape)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Decodes a whole history file, skipping the header and malformed lines.
  public static func decodeFile(_ text: String) -> [String] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    if lines.first == Substring(header) { lines.removeFirst() }
    return lines.compactMap { decode($0) }
  }

  /// `\ooo` for one byte.
  private static func octal(_ byte: UInt8) -> String {
    let digits = [byte >> 6, (byte >> 3) & 7, byte & 7].map { Character(UnicodeScalar($0 + 0x30)) }
    return "\\" + String(digits)
  }

  /// The control character written as `^c` (`^?` is DEL).
  private static func control(_ character: UInt8) -> UInt8 {
    character == UInt8(ascii: "?") ? 0x7F : character & 0x1F
  }
}
