import Foundation

extension Tensor {
  /// Creates a tensor from little-endian bytes in row-major order, copying them in one block.
  ///
  /// Throws `invalidData` when the byte count does not match `shape` and `dtype`.
  public init(shape: [Int], dtype: DType, littleEndianBytes bytes: Data) throws(EngineError) {
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw EngineError(.invalidData, "negative dimension in shape \(shape)")
    }
    let count = Tensor.elementCount(shape)
    let expected = count * dtype.byteSize
    guard bytes.count == expected else {
      throw EngineError(
        .invalidData,
        "\(dtype) tensor of shape \(shape) needs \(expected) bytes but \(bytes.count) were given")
    }
    self.init(shape: shape, storage: bytes.withUnsafeBytes { Tensor.storage(dtype, count, $0) })
  }

  /// Creates a tensor from a raw little-endian buffer that holds exactly `count` elements.
  static func storage(_ dtype: DType, _ count: Int, _ raw: UnsafeRawBufferPointer) -> Storage {
    switch dtype {
    case .float32: return .float32(copyArray(Float.self, count, raw))
    case .float64: return .float64(copyArray(Double.self, count, raw))
    case .int64: return .int64(copyArray(Int64.self, count, raw))
    case .int32: return .int32(copyArray(Int32.self, count, raw))
    case .int8: return .int8(copyArray(Int8.self, count, raw))
    case .uint8: return .uint8(copyArray(UInt8.self, count, raw))
    case .bool:
      let bytes = copyArray(UInt8.self, count, raw)
      return .bool(bytes.map { $0 != 0 })
    }
  }

  /// Copies `count` elements of a fixed-width little-endian type out of `raw` with one memcpy.
  static func copyArray<T: LittleEndianElement>(
    _: T.Type, _ count: Int, _ raw: UnsafeRawBufferPointer
  )
    -> [T]
  {
    let result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      if count > 0, let base = raw.baseAddress, let dest = buffer.baseAddress {
        memcpy(dest, base, count * MemoryLayout<T>.stride)
      }
      initialized = count
    }
    #if _endian(big)
      return result.map { $0.byteSwappedValue }
    #else
      return result
    #endif
  }

  /// The elements as little-endian bytes in row-major order (booleans as 0/1 bytes).
  public var littleEndianBytes: Data {
    switch storage {
    case .float32(let v): return v.withUnsafeBytes { Data($0) }
    case .float64(let v): return v.withUnsafeBytes { Data($0) }
    case .int64(let v): return v.withUnsafeBytes { Data($0) }
    case .int32(let v): return v.withUnsafeBytes { Data($0) }
    case .int8(let v): return v.withUnsafeBytes { Data($0) }
    case .uint8(let v): return v.withUnsafeBytes { Data($0) }
    case .bool(let v): return Data(v.map { $0 ? 1 : 0 })
    }
  }
}

/// Element types that can be copied byte-for-byte from little-endian storage.
protocol LittleEndianElement: BitwiseCopyable {
  /// The value with its bytes reversed (only used on big-endian hosts).
  var byteSwappedValue: Self { get }
}

extension Float: LittleEndianElement {
  var byteSwappedValue: Float { Float(bitPattern: bitPattern.byteSwapped) }
}
extension Double: LittleEndianElement {
  var byteSwappedValue: Double { Double(bitPattern: bitPattern.byteSwapped) }
}
extension Int64: LittleEndianElement {
  var byteSwappedValue: Int64 { byteSwapped }
}
extension Int32: LittleEndianElement {
  var byteSwappedValue: Int32 { byteSwapped }
}
extension Int8: LittleEndianElement {
  var byteSwappedValue: Int8 { self }
}
extension UInt8: LittleEndianElement {
  var byteSwappedValue: UInt8 { self }
}
