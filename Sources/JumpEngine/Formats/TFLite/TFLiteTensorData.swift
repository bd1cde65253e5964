/// Constant data as the bytes of a TFLite buffer: little-endian, row-major, INT4 packed two per byte
/// (element 2i in the low nibble).
enum TFLiteTensorData {
  /// The bytes of `data` stored as `type`, elements reordered by `source` (see `TFLiteLayout`) when given.
  static func bytes(
    _ data: ConstantData, type: QuantizedElementType, source: [Int]? = nil
  ) throws(EngineError) -> [UInt8] {
    func reordered<T>(_ values: [T]) -> [T] {
      guard let source else { return values }
      return source.map { values[$0] }
    }
    switch (data, type) {
    case (.float32(let v), .float32): return littleEndian(reordered(v).map(\.bitPattern))
    case (.int8(let v), .int8): return reordered(v).map { UInt8(bitPattern: $0) }
    case (.int8(let v), .int4): return try packInt4(reordered(v))
    case (.int16(let v), .int16): return littleEndian(reordered(v))
    case (.int32(let v), .int32): return littleEndian(reordered(v))
    case (.int64(let v), .int64): return littleEndian(reordered(v))
    default:
      throw EngineError(
        .invalidModel, "constant data of \(data.count) elements does not match its type \(type)")
    }
  }

  /// Integers as little-endian bytes.
  static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: values.count * MemoryLayout<T>.size)
    bytes.withUnsafeMutableBytes { raw in
      for (i, value) in values.enumerated() {
        raw.storeBytes(of: value.littleEndian, toByteOffset: i * MemoryLayout<T>.size, as: T.self)
      }
    }
    return bytes
  }

  /// INT4 values (one per `Int8`) packed two per byte.
  static func packInt4(_ values: [Int8]) throws(EngineError) -> [UInt8] {
    var packed = [UInt8](repeating: 0, count: Int4Packing.packedCount(values.count))
    try values.withUnsafeBufferPointer { (source) throws(EngineError) in
      try packed.withUnsafeMutableBufferPointer { (target) throws(EngineError) in
        guard let from = source.baseAddress, let to = target.baseAddress else { return }
        try Int4Packing.pack(from, count: values.count, into: to)
      }
    }
    return packed
  }
}
