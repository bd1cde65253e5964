/// A minimal FlatBuffers reader for tests: follows references, reads table fields by slot, vectors and
/// strings, checking every access is inside the buffer. The product writes FlatBuffers but never reads them.
struct FlatBufferReader {
  /// The whole buffer.
  let bytes: [UInt8]

  /// A table: its position in the buffer.
  struct Table {
    let reader: FlatBufferReader
    let position: Int

    /// The position of the field in `slot`, nil when absent.
    func fieldPosition(_ slot: Int) -> Int? {
      let vtable = position - Int(reader.int32(at: position))
      let vtableSize = Int(reader.uint16(at: vtable))
      let entry = 4 + 2 * slot
      guard entry + 2 <= vtableSize else { return nil }
      let offset = Int(reader.uint16(at: vtable + entry))
      return offset == 0 ? nil : position + offset
    }

    /// A scalar field, or `defaultValue` when absent.
    func scalar<T: FixedWidthInteger>(_ slot: Int, default defaultValue: T) -> T {
      fieldPosition(slot).map { reader.scalar(at: $0) } ?? defaultValue
    }

    /// A float32 field, or `defaultValue` when absent.
    func float(_ slot: Int, default defaultValue: Float) -> Float {
      fieldPosition(slot).map { Float(bitPattern: reader.scalar(at: $0)) } ?? defaultValue
    }

    /// The table a field refers to.
    func table(_ slot: Int) -> Table? {
      fieldPosition(slot).map { Table(reader: reader, position: reader.follow($0)) }
    }

    /// The string a field refers to.
    func string(_ slot: Int) -> String? {
      fieldPosition(slot).map { reader.string(at: reader.follow($0)) }
    }

    /// The vector of scalars a field refers to.
    func vector<T: FixedWidthInteger>(_ slot: Int, of: T.Type = T.self) -> [T]? {
      guard let field = fieldPosition(slot) else { return nil }
      let start = reader.follow(field)
      let count = Int(reader.uint32(at: start))
      return (0..<count).map { reader.scalar(at: start + 4 + $0 * MemoryLayout<T>.size) }
    }

    /// The vector of float32 values a field refers to.
    func floats(_ slot: Int) -> [Float]? {
      vector(slot, of: UInt32.self)?.map { Float(bitPattern: $0) }
    }

    /// The position of the first element of the vector a field refers to, and its count.
    func vectorStart(_ slot: Int) -> (start: Int, count: Int)? {
      guard let field = fieldPosition(slot) else { return nil }
      let start = reader.follow(field)
      return (start + 4, Int(reader.uint32(at: start)))
    }

    /// The tables a vector field refers to.
    func tables(_ slot: Int) -> [Table] {
      guard let (start, count) = vectorStart(slot) else { return [] }
      return (0..<count).map { Table(reader: reader, position: reader.follow(start + 4 * $0)) }
    }

    /// The strings a vector field refers to.
    func strings(_ slot: Int) -> [String] {
      guard let (start, count) = vectorStart(slot) else { return [] }
      return (0..<count).map { reader.string(at: reader.follow(start + 4 * $0)) }
    }
  }

  /// The root table.
  var root: Table { Table(reader: self, position: follow(0)) }

  /// The 4-byte file identifier after the root reference.
  var fileIdentifier: String { String(decoding: bytes[4..<8], as: UTF8.self) }

  /// A little-endian scalar at `position`.
  func scalar<T: FixedWidthInteger>(at position: Int) -> T {
    precondition(position >= 0 && position + MemoryLayout<T>.size <= bytes.count, "read past the buffer")
    var value: T = 0
    for i in (0..<MemoryLayout<T>.size).reversed() {
      value = value << 8 | T(truncatingIfNeeded: bytes[position + i])
    }
    return value
  }

  func uint16(at position: Int) -> UInt16 { scalar(at: position) }
  func uint32(at position: Int) -> UInt32 { scalar(at: position) }
  func int32(at position: Int) -> Int32 { scalar(at: position) }

  /// The position a 32-bit reference at `position` points to.
  func follow(_ position: Int) -> Int { position + Int(uint32(at: position)) }

  /// The string whose length prefix is at `position` (checking its zero terminator).
  func string(at position: Int) -> String {
    let count = Int(uint32(at: position))
    precondition(bytes[position + 4 + count] == 0, "string without its terminating zero")
    return String(decoding: bytes[(position + 4)..<(position + 4 + count)], as: UTF8.self)
  }
}
