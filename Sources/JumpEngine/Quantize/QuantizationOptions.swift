/// The number formats of a quantized model.
public enum QuantizationPrecision: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  /// int8 weights (symmetric) and int8 activations (asymmetric): the TFLite integer spec.
  case int8
  /// int4 weights in [-7, 7] with int8 activations (W4A8); TFLite packs the weights two per byte.
  case int4
  /// int8 weights with int16 activations (symmetric, zero point 0) and int64 biases, for sensitive models.
  case int16x8

  /// The element type of activations.
  public var activationType: QuantizedElementType { self == .int16x8 ? .int16 : .int8 }
  /// The element type of convolution and fully connected weights.
  public var weightType: QuantizedElementType { self == .int4 ? .int4 : .int8 }
  /// The element type of biases: int32, or int64 where TFLite accumulates 16x8 products in 64 bits.
  public var biasType: QuantizedElementType { self == .int16x8 ? .int64 : .int32 }
  /// The largest weight magnitude: symmetric ranges leave out the most negative code (-128, -8) so that
  /// `-q` is always representable.
  public var weightLimit: Int64 { self == .int4 ? 7 : 127 }

  /// `int8`, `int4`, `int16x8`.
  public var description: String { rawValue }
}

/// What `Quantizer.quantize` produces and which layers it leaves in float.
public struct QuantizationOptions: Sendable, Hashable {
  /// The number formats.
  public var precision: QuantizationPrecision
  /// One weight scale per output channel (true, the default) or one per tensor.
  public var perChannel: Bool
  /// Lowered nodes to keep in float (node names, float source names, or op types), with QUANTIZE and
  /// DEQUANTIZE at their edges.
  public var skip: SkipList

  /// Creates options (defaults: int8, per-channel, nothing skipped).
  public init(precision: QuantizationPrecision = .int8, perChannel: Bool = true, skip: SkipList = []) {
    self.precision = precision
    self.perChannel = perChannel
    self.skip = skip
  }
}
