/// Vectors (a 32-bit element count, then the elements) and strings (a vector of UTF-8 bytes with a trailing
/// zero the count leaves out).
extension FlatBufferBuilder {
  /// Writes a vector of little-endian integers.
  public mutating func createVector<T: FixedWidthInteger>(_ values: [T]) -> FlatBufferOffset {
    let width = MemoryLayout<T>.size
    startVector(count: values.count, elementSize: width, alignment: width)
    for value in values.reversed() { push(value) }
    return endVector(count: values.count)
  }

  /// Writes a vector of float32 values.
  public mutating func createVector(_ values: [Float]) -> FlatBufferOffset {
    createVector(values.map(\.bitPattern))
  }

  /// Writes a vector of raw bytes whose first byte is aligned to `alignment` (TFLite's buffer data asks
  /// for 16, `force_align` in the schema).
  public mutating func createVector(bytes: [UInt8], alignment: Int = 1) -> FlatBufferOffset {
    startVector(count: bytes.count, elementSize: 1, alignment: alignment)
    bytes.withUnsafeBytes { push(bytes: $0) }
    return endVector(count: bytes.count)
  }

  /// Writes a vector of structs given as their packed little-endian bytes, `structSize` bytes each.
  public mutating func createVector(
    structs bytes: [UInt8], structSize: Int, alignment: Int
  ) -> FlatBufferOffset {
    precondition(structSize > 0 && bytes.count % structSize == 0, "struct bytes must be whole structs")
    let count = bytes.count / structSize
    startVector(count: count, elementSize: structSize, alignment: alignment)
    bytes.withUnsafeBytes { push(bytes: $0) }
    return endVector(count: count)
  }

  /// Writes a vector of references to tables or strings written earlier.
  public mutating func createVector(offsets: [FlatBufferOffset]) -> FlatBufferOffset {
    startVector(count: offsets.count, elementSize: 4, alignment: 4)
    for offset in offsets.reversed() { _ = putReference(offset) }
    return endVector(count: offsets.count)
  }

  /// Writes a string.
  public mutating func createString(_ string: String) -> FlatBufferOffset {
    let utf8 = Array(string.utf8)
    align(4, following: utf8.count + 1)
    push(UInt8(0))
    utf8.withUnsafeBytes { push(bytes: $0) }
    push(UInt32(utf8.count))
    return front
  }

  /// Aligns for `count` elements so that both the count before them (4 bytes) and the first element are
  /// aligned.
  private mutating func startVector(count: Int, elementSize: Int, alignment: Int) {
    align(4, following: count * elementSize)
    align(max(alignment, 1), following: count * elementSize)
  }

  /// Writes the element count in front of the elements and returns the vector's offset.
  private mutating func endVector(count: Int) -> FlatBufferOffset {
    push(UInt32(count))
    return front
  }
}
