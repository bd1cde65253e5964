/// TFLite's INT4 tensor packing: two signed 4-bit values per byte, element `2i` in the low nibble and `2i+1`
/// in the high nibble; an odd count ends in a low nibble (high nibble 0).
///
/// The integer executor unpacks INT4 weights once into int8 scratch (sign-extended), then runs the ordinary
/// int8 convolution and fully connected kernels on them, as TFLite Micro does
/// (`UnpackDenseInt4IntoInt8`). The exporter packs with `pack`.
enum Int4Packing {
  /// Bytes that hold `count` packed values.
  static func packedCount(_ count: Int) -> Int { (count + 1) / 2 }

  /// Unpacks `count` values from `packed` (`packedCount(count)` bytes) into `output`, sign-extending each.
  static func unpack(_ packed: UnsafePointer<UInt8>, count: Int, into output: UnsafeMutablePointer<Int8>) {
    for i in 0..<(count / 2) {
      let byte = Int8(bitPattern: packed[i])
      output[2 * i] = (byte << 4) >> 4
      output[2 * i + 1] = byte >> 4
    }
    if count % 2 != 0 {
      output[count - 1] = (Int8(bitPattern: packed[count / 2]) << 4) >> 4
    }
  }

  /// Packs `count` values in `[-8, 7]` into `output` (`packedCount(count)` bytes).
  ///
  /// Throws, naming the first offending index, when a value does not fit in 4 bits; quantized INT4 weights
  /// are symmetric in `[-7, 7]`, so such a value is a quantizer bug, not something to wrap silently.
  static func pack(
    _ values: UnsafePointer<Int8>, count: Int, into output: UnsafeMutablePointer<UInt8>
  ) throws(EngineError) {
    for i in 0..<count where values[i] < -8 || values[i] > 7 {
      throw EngineError(.invalidModel, "INT4 weight \(values[i]) at index \(i) is outside [-8, 7]")
    }
    for i in 0..<(count / 2) {
      let low = UInt8(bitPattern: values[2 * i]) & 0x0F
      let high = UInt8(bitPattern: values[2 * i + 1]) << 4
      output[i] = low | high
    }
    if count % 2 != 0 {
      output[count / 2] = UInt8(bitPattern: values[count - 1]) & 0x0F
    }
  }

  /// `pack` on arrays: the bytes of a TFLite INT4 buffer.
  static func pack(_ values: [Int8]) throws(EngineError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: packedCount(values.count))
    let result: Result<Void, EngineError> = values.withUnsafeBufferPointer { source in
      bytes.withUnsafeMutableBufferPointer { destination in
        guard let s = source.baseAddress, let d = destination.baseAddress else { return .success(()) }
        do throws(EngineError) {
          try pack(s, count: values.count, into: d)
          return .success(())
        } catch {
          return .failure(error)
        }
      }
    }
    try result.get()
    return bytes
  }

  /// `unpack` on arrays: `count` int8 values from the bytes of a TFLite INT4 buffer.
  static func unpack(_ bytes: [UInt8], count: Int) throws(EngineError) -> [Int8] {
    guard bytes.count >= packedCount(count) else {
      throw EngineError(.invalidModel, "INT4 buffer of \(bytes.count) bytes is too short for \(count) values")
    }
    var values = [Int8](repeating: 0, count: count)
    bytes.withUnsafeBufferPointer { source in
      values.withUnsafeMutableBufferPointer { destination in
        guard let s = source.baseAddress, let d = destination.baseAddress else { return }
        unpack(s, count: count, into: d)
      }
    }
    return values
  }
}
