/// Bytes the constants of a quantized graph take on the device.
extension QuantizedGraph {
  /// Bytes of every constant tensor (weights, biases, other constants) as stored on the device:
  /// int4 packed two per byte, the other types at their natural width.
  public var constantBytes: Int {
    tensors.values.reduce(0) { total, tensor in
      guard let data = tensor.data else { return total }
      return total + QuantizedGraph.storedBytes(count: data.count, type: tensor.elementType)
    }
  }

  /// Bytes `count` elements of `type` take on the device.
  public static func storedBytes(count: Int, type: QuantizedElementType) -> Int {
    switch type {
    case .int4: return (count + 1) / 2
    case .int8: return count
    case .int16: return 2 * count
    case .float32, .int32: return 4 * count
    case .int64: return 8 * count
    }
  }
}
