/// The stored values of one tensor of an integer run, in its element type.
public enum IntegerValues {
  /// int8 codes.
  case int8(UnsafeBufferPointer<Int8>)
  /// int16 codes (int16x8 activations).
  case int16(UnsafeBufferPointer<Int16>)
  /// float32 values (tensors of layers kept in float).
  case float32(UnsafeBufferPointer<Float>)

  /// The number of elements.
  public var count: Int {
    switch self {
    case .int8(let v): return v.count
    case .int16(let v): return v.count
    case .float32(let v): return v.count
    }
  }
}

/// One activation of an integer run, shown right after the node that writes it (valid only during the call).
public struct IntegerActivationView {
  /// The tensor's name.
  public let name: String
  /// The concrete shape (batch first).
  public let shape: [Int]
  /// The tensor's quantization parameters (nil for float32 tensors).
  public let quantization: QuantizationParameters?
  /// The stored values.
  public let values: IntegerValues

  /// The stored codes as `Int32` (float values truncated; meant for integer tensors).
  public func codes() -> [Int32] {
    switch values {
    case .int8(let v): return v.map { Int32($0) }
    case .int16(let v): return v.map { Int32($0) }
    case .float32(let v): return v.map { $0.isFinite ? Int32(clamping: Int64($0)) : 0 }
    }
  }

  /// The real values: codes dequantized as TFLite's DEQUANTIZE does, floats as stored.
  public func dequantized() -> [Float] {
    let count = values.count
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      if let base = buffer.baseAddress { dequantize(0..<count, into: base) }
      initialized = count
    }
  }

  /// Writes the real values of elements `range` into `destination`, as `dequantized()` computes them.
  public func dequantize(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
    let scale = Double(quantization?.scale ?? 1)
    let zero = Int32(clamping: quantization?.zeroPoint ?? 0)
    let first = range.lowerBound
    switch values {
    case .int8(let v):
      for i in 0..<range.count { destination[i] = Float(scale * Double(Int32(v[first + i]) &- zero)) }
    case .int16(let v):
      for i in 0..<range.count { destination[i] = Float(scale * Double(Int32(v[first + i]) &- zero)) }
    case .float32(let v):
      for i in 0..<range.count { destination[i] = v[first + i] }
    }
  }

  /// The dequantized values as a tensor.
  public func tensor() -> Tensor { Tensor(shape: shape, floats: dequantized()) }
}

/// A graph output as the device holds it: integer codes with their parameters (or floats for a float output).
public struct IntegerOutput: Sendable, Equatable {
  /// The output tensor's name.
  public var name: String
  /// The shape (every pass concatenated along the first axis).
  public var shape: [Int]
  /// The element type (`int8`, `int16`, or `float32` when the last layer was kept in float).
  public var elementType: QuantizedElementType
  /// The quantization parameters (nil for float32).
  public var quantization: QuantizationParameters?
  /// The stored codes (empty for float32 outputs).
  public var codes: [Int32]
  /// The float values of a float32 output (empty for integer outputs).
  public var floats: [Float]
}
