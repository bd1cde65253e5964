import Foundation

/// The parsed header of a NumPy `.npy` array (format versions 1, 2 and 3).
///
/// Only little-endian (or single-byte), C-order arrays of float32, float64, int64, int32, int8, uint8 and
/// bool are accepted; anything else is an `invalidData` error naming the file.
public struct NpyHeader: Sendable, Equatable {
  /// The element type.
  public var dtype: DType
  /// The array shape.
  public var shape: [Int]
  /// The byte offset of the first element from the start of the file.
  public var dataOffset: Int

  /// The number of elements.
  public var count: Int { Tensor.elementCount(shape) }
  /// The number of data bytes.
  public var byteCount: Int { count * dtype.byteSize }

  /// The six magic bytes every `.npy` file starts with.
  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

  /// How many bytes of the file `parse` needs, given at least the first 12 bytes; nil if they are not `.npy`.
  static func headerEnd(_ prefix: Data) -> Int? {
    let bytes = [UInt8](prefix.prefix(12))
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { return nil }
    switch bytes[6] {
    case 1: return 10 + Int(bytes[8]) + Int(bytes[9]) << 8
    case 2, 3:
      guard bytes.count >= 12 else { return nil }
      return 12 + Int(bytes[8]) + Int(bytes[9]) << 8 + Int(bytes[10]) << 16 + Int(bytes[11]) << 24
    default: return nil
    }
  }

  /// Parses the header at the start of `data` (which must hold at least the whole header).
  public static func parse(_ data: Data, path: String) throws(EngineError) -> NpyHeader {
    let bytes = [UInt8](data.prefix(12))
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw EngineError.invalidData(path, "not a .npy file (bad magic)")
    }
    guard [1, 2, 3].contains(bytes[6]) else {
      throw EngineError.invalidData(path, "unsupported .npy format version \(bytes[6]).\(bytes[7])")
    }
    guard let end = headerEnd(data), data.count >= end else {
      throw EngineError.invalidData(path, "truncated .npy header")
    }
    let start = bytes[6] == 1 ? 10 : 12
    let text = String(decoding: data[data.startIndex + start..<data.startIndex + end], as: UTF8.self)
    var parser = NpyDictParser(text: text)
    let dict: [String: NpyDictParser.Value]
    do {
      dict = try parser.parseDict()
    } catch {
      throw EngineError.invalidData(path, "bad .npy header: \(error.reason)")
    }
    guard case .string(let descr)? = dict["descr"] else {
      throw EngineError.invalidData(path, "bad .npy header: missing 'descr'")
    }
    guard case .bool(let fortran)? = dict["fortran_order"] else {
      throw EngineError.invalidData(path, "bad .npy header: missing 'fortran_order'")
    }
    guard case .tuple(let shape)? = dict["shape"], shape.allSatisfy({ $0 >= 0 }) else {
      throw EngineError.invalidData(path, "bad .npy header: missing or invalid 'shape'")
    }
    if fortran {
      throw EngineError.invalidData(
        path, "Fortran-order arrays are not supported; save with np.ascontiguousarray(a)")
    }
    return NpyHeader(dtype: try dtype(descr, path: path), shape: shape, dataOffset: end)
  }

  /// Maps a NumPy type descriptor (`<f4`, `|u1`, ...) to a dtype.
  static func dtype(_ descr: String, path: String) throws(EngineError) -> DType {
    guard let order = descr.first, "<>|=".contains(order) else {
      throw EngineError.invalidData(path, "unsupported .npy dtype '\(descr)'")
    }
    let code = String(descr.dropFirst())
    let types: [String: DType] = [
      "f4": .float32, "f8": .float64, "i8": .int64, "i4": .int32, "i1": .int8, "u1": .uint8, "b1": .bool,
    ]
    guard let dtype = types[code] else {
      throw EngineError.invalidData(
        path,
        "unsupported .npy dtype '\(descr)' (expected float32, float64, int64, int32, int8, uint8 or bool)")
    }
    if order == ">" && dtype.byteSize > 1 {
      throw EngineError.invalidData(
        path, "big-endian arrays ('\(descr)') are not supported; use a little-endian dtype")
    }
    return dtype
  }
}

/// A parser for the Python dictionary literal in a `.npy` header.
struct NpyDictParser {
  /// A header value: a string, a boolean or a tuple of integers.
  enum Value: Equatable {
    case string(String)
    case bool(Bool)
    case tuple([Int])
  }

  /// A parse failure with its reason.
  struct Failure: Error {
    let reason: String
  }

  private let chars: [Character]
  private var i = 0

  /// Creates a parser over the header text.
  init(text: String) { chars = Array(text) }

  /// Parses `{'key': value, ...}`.
  mutating func parseDict() throws(Failure) -> [String: Value] {
    try expect("{")
    var result: [String: Value] = [:]
    while true {
      skipSpace()
      if peek() == "}" { break }
      guard case .string(let key) = try parseValue() else { throw Failure(reason: "expected a string key") }
      try expect(":")
      result[key] = try parseValue()
      skipSpace()
      if peek() == "," { i += 1 }
    }
    return result
  }

  private mutating func parseValue() throws(Failure) -> Value {
    skipSpace()
    guard let c = peek() else { throw Failure(reason: "unexpected end") }
    if c == "'" || c == "\"" {
      i += 1
      var s = ""
      while let d = peek(), d != c {
        s.append(d)
        i += 1
      }
      try expect(c)
      return .string(s)
    }
    if c == "(" {
      i += 1
      var dims: [Int] = []
      while true {
        skipSpace()
        if peek() == ")" {
          i += 1
          return .tuple(dims)
        }
        var digits = ""
        while let d = peek(), d.isNumber || d == "-" {
          digits.append(d)
          i += 1
        }
        var trimmed = digits
        if let d = peek(), d == "L" { i += 1 }  // Python 2 long suffix
        if trimmed.isEmpty { trimmed = "x" }
        guard let v = Int(trimmed) else { throw Failure(reason: "bad shape entry") }
        dims.append(v)
        skipSpace()
        if peek() == "," { i += 1 }
      }
    }
    for (word, value) in [("True", true), ("False", false)] where matches(word) {
      i += word.count
      return .bool(value)
    }
    throw Failure(reason: "unexpected '\(c)'")
  }

  private func peek() -> Character? { i < chars.count ? chars[i] : nil }

  private func matches(_ word: String) -> Bool {
    let w = Array(word)
    return i + w.count <= chars.count && Array(chars[i..<i + w.count]) == w
  }

  private mutating func skipSpace() {
    while let c = peek(), c.isWhitespace { i += 1 }
  }

  private mutating func expect(_ c: Character) throws(Failure) {
    skipSpace()
    guard peek() == c else { throw Failure(reason: "expected '\(c)'") }
    i += 1
  }
}
