import Foundation

/// Converts stored little-endian array elements of any supported dtype to float32 samples.
enum DatasetFloatConversion {
  /// Appends the elements in `bytes` (of `dtype`) to `output` as float32.
  ///
  /// Returns how many of them are NaN or infinite (only floating-point data can have any; a float64 value
  /// too large for float32 becomes infinite and is counted).
  @discardableResult
  static func append(_ bytes: Data, dtype: DType, to output: inout [Float]) -> Int {
    let count = bytes.count / dtype.byteSize
    let start = output.count
    output.append(contentsOf: repeatElement(0, count: count))
    return output.withUnsafeMutableBufferPointer { buffer in
      bytes.withUnsafeBytes { raw in
        convert(raw, dtype: dtype, count: count, into: buffer, at: start)
      }
    }
  }

  private static func convert(
    _ raw: UnsafeRawBufferPointer, dtype: DType, count: Int, into out: UnsafeMutableBufferPointer<Float>,
    at start: Int
  ) -> Int {
    switch dtype {
    case .float32:
      // Little-endian hosts (all the engine supports) can copy the bytes as they are.
      guard let target = out.baseAddress.map({ UnsafeMutableRawPointer($0 + start) }),
        let bytes = raw.baseAddress, count > 0
      else { return 0 }
      target.copyMemory(from: bytes, byteCount: count * 4)
      var bad = 0
      for i in start..<start + count where !out[i].isFinite { bad += 1 }
      return bad
    case .float64:
      var bad = 0
      for i in 0..<count {
        let bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
        let value = Float(Double(bitPattern: bits))
        if !value.isFinite { bad += 1 }
        out[start + i] = value
      }
      return bad
    case .int64:
      for i in 0..<count {
        out[start + i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))
      }
    case .int32:
      for i in 0..<count {
        out[start + i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
      }
    case .int8:
      for i in 0..<count { out[start + i] = Float(Int8(bitPattern: raw[i])) }
    case .uint8:
      for i in 0..<count { out[start + i] = Float(raw[i]) }
    case .bool:
      for i in 0..<count { out[start + i] = raw[i] == 0 ? 0 : 1 }
    }
    return 0
  }
}
