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

/// What post-training quantization does: the number formats and skip list `Quantizer.quantize` applies, and
/// the accuracy steps around it that need data or the float model.
///
/// `Quantizer.quantize` reads `precision`, `perChannel`, `skip` and `narrowsToReaders` only. `equalize` asks for
/// `CrossLayerEqualization` on the float model before calibration and lowering; `biasCorrection` for
/// `BiasCorrection` on the quantized graph with the calibration data. The `quantize` command runs them and
/// records here what was actually applied.
public struct QuantizationOptions: Sendable, Hashable {
  /// The number formats.
  public var precision: QuantizationPrecision
  /// One weight scale per output channel (true, the default) or one per tensor.
  public var perChannel: Bool
  /// Lowered nodes to keep in float (node names, float source names, or op types), with QUANTIZE and
  /// DEQUANTIZE at their edges.
  public var skip: SkipList
  /// Correct each layer's output mean shift on the calibration data (on by default, as DESIGN §5 asks).
  public var biasCorrection: Bool
  /// Equalize the weight ranges of consecutive convolutions first (off by default: it needs a new
  /// calibration of the equalized model).
  public var equalize: Bool
  /// Cut a producer's range to what its only reader tells apart (`ReaderSaturation`; on by default).
  /// Quantization-aware training converts with it off, so the device uses the grids training simulated.
  public var narrowsToReaders: Bool

  /// Creates options (defaults: int8, per-channel, nothing skipped, bias correction, no equalization).
  public init(
    precision: QuantizationPrecision = .int8, perChannel: Bool = true, skip: SkipList = [],
    biasCorrection: Bool = true, equalize: Bool = false, narrowsToReaders: Bool = true
  ) {
    self.precision = precision
    self.perChannel = perChannel
    self.skip = skip
    self.biasCorrection = biasCorrection
    self.equalize = equalize
    self.narrowsToReaders = narrowsToReaders
  }
}
