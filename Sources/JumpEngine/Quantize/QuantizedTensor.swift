/// The element type of a tensor in a `QuantizedGraph`, one for each TFLite tensor type the exporter writes.
///
/// `int4` values are kept one per `Int8` in memory (in [-7, 7]) so every pass can index them directly; the
/// exporter packs them two per byte. `int64` appears only as the bias of int16x8 convolutions, where TFLite
/// accumulates in 64 bits.
public enum QuantizedElementType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  /// IEEE float32: every tensor of a lowered graph, and tensors of layers kept in float.
  case float32
  /// int8: activations (asymmetric) and weights (symmetric).
  case int8
  /// int4: W4A8 weights, symmetric in [-7, 7].
  case int4
  /// int16: int16x8 activations (symmetric, zero point 0).
  case int16
  /// int32: biases of int8 convolutions and fully connected layers.
  case int32
  /// int64: biases of int16x8 convolutions and fully connected layers.
  case int64

  /// The smallest and largest stored integer; nil for float32.
  public var integerRange: ClosedRange<Int64>? {
    switch self {
    case .float32: return nil
    case .int8: return -128...127
    case .int4: return -8...7
    case .int16: return -32768...32767
    case .int32: return Int64(Int32.min)...Int64(Int32.max)
    case .int64: return Int64.min...Int64.max
    }
  }

  /// `int8`, `float32`, ...
  public var description: String { rawValue }
}

/// How stored integers map to real values: `real = (q - zeroPoint) * scale`, per tensor or per slice.
///
/// Mirrors TFLite's `QuantizationParameters`: one scale and zero point for the whole tensor (`axis == nil`),
/// or one per slice along `axis` (TFLite's `quantized_dimension`). The axis is in the graph's own logical
/// layout (NCHW / OIHW); the exporter translates it to TFLite's layout.
public struct QuantizationParameters: Sendable, Hashable, CustomStringConvertible {
  /// The scales: one, or one per slice along `axis`.
  public var scales: [Float]
  /// The zero points, as many as `scales`.
  public var zeroPoints: [Int64]
  /// The per-channel axis, or nil for per-tensor parameters.
  public var axis: Int?

  /// Creates parameters; `scales` and `zeroPoints` must have the same count.
  public init(scales: [Float], zeroPoints: [Int64], axis: Int? = nil) {
    self.scales = scales
    self.zeroPoints = zeroPoints
    self.axis = axis
  }

  /// Per-tensor parameters.
  public init(scale: Float, zeroPoint: Int64) {
    self.init(scales: [scale], zeroPoints: [zeroPoint], axis: nil)
  }

  /// The single scale of per-tensor parameters (the first scale otherwise).
  public var scale: Float { scales.first ?? 1 }
  /// The single zero point of per-tensor parameters (the first otherwise).
  public var zeroPoint: Int64 { zeroPoints.first ?? 0 }
  /// True for one scale per slice along an axis.
  public var isPerChannel: Bool { axis != nil }

  /// `scale 0.0123 zp -5` or `per-channel axis 0 (32 scales)`.
  public var description: String {
    if let axis { return "per-channel axis \(axis) (\(scales.count) scales)" }
    return "scale \(scale) zp \(zeroPoint)"
  }
}

/// The constant contents of a tensor, in the storage its element type needs (int4 in `int8`).
public enum ConstantData: Sendable, Equatable {
  /// float32 values.
  case float32([Float])
  /// int8 values, or int4 values in [-7, 7] one per element.
  case int8([Int8])
  /// int16 values.
  case int16([Int16])
  /// int32 values.
  case int32([Int32])
  /// int64 values.
  case int64([Int64])

  /// The number of elements.
  public var count: Int {
    switch self {
    case .float32(let v): return v.count
    case .int8(let v): return v.count
    case .int16(let v): return v.count
    case .int32(let v): return v.count
    case .int64(let v): return v.count
    }
  }

  /// The number of elements that are not zero (pruned weights stay zero through quantization).
  public var nonZeroCount: Int {
    func count<T: Numeric>(_ values: [T]) -> Int { values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
    switch self {
    case .float32(let v): return count(v)
    case .int8(let v): return count(v)
    case .int16(let v): return count(v)
    case .int32(let v): return count(v)
    case .int64(let v): return count(v)
    }
  }

  /// The stored values as `Float` (integers unscaled).
  public func storedAsFloats() -> [Float] {
    switch self {
    case .float32(let v): return v
    case .int8(let v): return v.map { Float($0) }
    case .int16(let v): return v.map { Float($0) }
    case .int32(let v): return v.map { Float($0) }
    case .int64(let v): return v.map { Float($0) }
    }
  }

  /// The stored integers (floats truncated; used for inspection and tests).
  public func storedAsInt64s() -> [Int64] {
    switch self {
    case .float32(let v): return v.map { $0.isFinite ? Int64($0) : 0 }
    case .int8(let v): return v.map { Int64($0) }
    case .int16(let v): return v.map { Int64($0) }
    case .int32(let v): return v.map { Int64($0) }
    case .int64(let v): return v
    }
  }
}

/// One tensor of a `QuantizedGraph`: an activation, a weight, a bias or another constant.
///
/// Shapes are logical NCHW for activations (the batch leading) and OIHW for convolution filters, as in the
/// float graph; the exporter relays them to TFLite's NHWC / OHWI / 1HWO once. The batch dimension is the one
/// the model was lowered at (1 when symbolic); executors run any batch by replacing it.
public struct QuantizedTensor: Sendable, Equatable, CustomStringConvertible {
  /// The tensor's name, unique in its graph (the float value's name where one exists).
  public var name: String
  /// The logical shape.
  public var shape: [Int]
  /// The element type.
  public var elementType: QuantizedElementType
  /// How integers map to reals; nil for float32 tensors.
  public var quantization: QuantizationParameters?
  /// The contents of a constant; nil for activations.
  public var data: ConstantData?

  /// Creates a tensor.
  public init(
    name: String, shape: [Int], elementType: QuantizedElementType = .float32,
    quantization: QuantizationParameters? = nil, data: ConstantData? = nil
  ) {
    self.name = name
    self.shape = shape
    self.elementType = elementType
    self.quantization = quantization
    self.data = data
  }

  /// True when the tensor holds constant data.
  public var isConstant: Bool { data != nil }
  /// The number of elements.
  public var count: Int { shape.reduce(1, *) }

  /// The real values of a constant: floats as stored, integers dequantized with their parameters.
  ///
  /// Returns nil for an activation or an integer constant without quantization parameters.
  public func dequantizedValues() -> [Float]? {
    guard let data else { return nil }
    if case .float32(let values) = data { return values }
    guard let q = quantization, !q.scales.isEmpty, q.scales.count == q.zeroPoints.count else { return nil }
    let stored = data.storedAsFloats()
    guard let axis = q.axis else {
      let scale = q.scales[0]
      let zero = Float(q.zeroPoints[0])
      return stored.map { ($0 - zero) * scale }
    }
    guard axis >= 0, axis < shape.count, shape[axis] == q.scales.count else { return nil }
    let inner = shape[(axis + 1)...].reduce(1, *)
    let channels = shape[axis]
    var values = stored
    for i in values.indices {
      let c = (i / max(inner, 1)) % channels
      values[i] = (stored[i] - Float(q.zeroPoints[c])) * q.scales[c]
    }
    return values
  }

  /// `conv1: int8 [1, 16, 32, 32] scale 0.02 zp -128`.
  public var description: String {
    var text = "\(name): \(elementType) \(shape)"
    if let quantization { text += " \(quantization)" }
    if data != nil { text += " (constant)" }
    return text
  }
}
