/// A dense, contiguous, row-major (C order) tensor value.
///
/// Storage is a typed Swift array, so a `Tensor` is a value type with copy-on-write semantics and can be
/// handed to kernels through `withUnsafeBufferPointer` without conversion.
public struct Tensor: Sendable, Equatable {
  /// The typed, contiguous element storage of a tensor.
  public enum Storage: Sendable, Equatable {
    /// `float32` elements.
    case float32([Float])
    /// `float64` elements.
    case float64([Double])
    /// `int64` elements.
    case int64([Int64])
    /// `int32` elements.
    case int32([Int32])
    /// `int8` elements.
    case int8([Int8])
    /// `uint8` elements.
    case uint8([UInt8])
    /// `bool` elements.
    case bool([Bool])

    /// The element type of this storage.
    public var dtype: DType {
      switch self {
      case .float32: return .float32
      case .float64: return .float64
      case .int64: return .int64
      case .int32: return .int32
      case .int8: return .int8
      case .uint8: return .uint8
      case .bool: return .bool
      }
    }

    /// The number of stored elements.
    public var count: Int {
      switch self {
      case .float32(let v): return v.count
      case .float64(let v): return v.count
      case .int64(let v): return v.count
      case .int32(let v): return v.count
      case .int8(let v): return v.count
      case .uint8(let v): return v.count
      case .bool(let v): return v.count
      }
    }
  }

  /// The dimensions, outermost first; `[]` is a scalar.
  public let shape: [Int]
  /// The elements in row-major order.
  public let storage: Storage

  /// Creates a tensor; the element count must equal the product of `shape` (a programming error otherwise).
  public init(shape: [Int], storage: Storage) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
    precondition(
      Tensor.elementCount(shape) == storage.count,
      "shape \(shape) needs \(Tensor.elementCount(shape)) elements, got \(storage.count)")
    self.shape = shape
    self.storage = storage
  }

  /// Creates a `float32` tensor.
  public init(shape: [Int], floats: [Float]) { self.init(shape: shape, storage: .float32(floats)) }

  /// Creates an `int64` tensor.
  public init(shape: [Int], int64s: [Int64]) { self.init(shape: shape, storage: .int64(int64s)) }

  /// Creates a tensor after checking that the element count matches the shape.
  public static func validated(shape: [Int], storage: Storage) throws(EngineError) -> Tensor {
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw EngineError(.invalidData, "negative dimension in shape \(shape)")
    }
    guard elementCount(shape) == storage.count else {
      throw EngineError(
        .invalidData, "shape \(shape) needs \(elementCount(shape)) elements but \(storage.count) were given")
    }
    return Tensor(shape: shape, storage: storage)
  }

  /// A tensor of zeros of the given type.
  public static func zeros(shape: [Int], dtype: DType = .float32) -> Tensor {
    let n = elementCount(shape)
    switch dtype {
    case .float32: return Tensor(shape: shape, storage: .float32(Array(repeating: 0, count: n)))
    case .float64: return Tensor(shape: shape, storage: .float64(Array(repeating: 0, count: n)))
    case .int64: return Tensor(shape: shape, storage: .int64(Array(repeating: 0, count: n)))
    case .int32: return Tensor(shape: shape, storage: .int32(Array(repeating: 0, count: n)))
    case .int8: return Tensor(shape: shape, storage: .int8(Array(repeating: 0, count: n)))
    case .uint8: return Tensor(shape: shape, storage: .uint8(Array(repeating: 0, count: n)))
    case .bool: return Tensor(shape: shape, storage: .bool(Array(repeating: false, count: n)))
    }
  }

  /// The element type.
  public var dtype: DType { storage.dtype }
  /// The number of elements.
  public var count: Int { storage.count }
  /// The number of dimensions.
  public var rank: Int { shape.count }
  /// The size of the elements in bytes.
  public var byteCount: Int { count * dtype.byteSize }

  /// The product of the dimensions (1 for a scalar).
  public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

  /// The same elements under a new shape with the same element count, or nil if the counts differ.
  public func reshaped(_ newShape: [Int]) -> Tensor? {
    guard newShape.allSatisfy({ $0 >= 0 }), Tensor.elementCount(newShape) == count else { return nil }
    return Tensor(shape: newShape, storage: storage)
  }

  /// The `float32` elements, or nil when the tensor has another type.
  public var floats: [Float]? {
    if case .float32(let v) = storage { return v }
    return nil
  }

  /// The elements converted to `Float` (booleans become 0 or 1).
  public func asFloats() -> [Float] {
    switch storage {
    case .float32(let v): return v
    case .float64(let v): return v.map { Float($0) }
    case .int64(let v): return v.map { Float($0) }
    case .int32(let v): return v.map { Float($0) }
    case .int8(let v): return v.map { Float($0) }
    case .uint8(let v): return v.map { Float($0) }
    case .bool(let v): return v.map { $0 ? 1 : 0 }
    }
  }

  /// The elements converted to `Int64`; floats are truncated toward zero (non-finite values become 0).
  public func asInt64s() -> [Int64] {
    switch storage {
    case .float32(let v):
      return v.map { $0.isFinite ? (Int64(exactly: $0.rounded(.towardZero)) ?? 0) : 0 }
    case .float64(let v): return v.map { $0.isFinite ? (Int64(exactly: $0.rounded(.towardZero)) ?? 0) : 0 }
    case .int64(let v): return v
    case .int32(let v): return v.map { Int64($0) }
    case .int8(let v): return v.map { Int64($0) }
    case .uint8(let v): return v.map { Int64($0) }
    case .bool(let v): return v.map { $0 ? 1 : 0 }
    }
  }

  /// The tensor converted to another element type (float to integer truncates toward zero).
  public func converted(to target: DType) -> Tensor {
    if target == dtype { return self }
    switch target {
    case .float32: return Tensor(shape: shape, storage: .float32(asFloats()))
    case .float64:
      if case .float32(let v) = storage {
        return Tensor(shape: shape, storage: .float64(v.map { Double($0) }))
      }
      return Tensor(shape: shape, storage: .float64(asInt64s().map { Double($0) }))
    case .int64: return Tensor(shape: shape, storage: .int64(asInt64s()))
    case .int32:
      return Tensor(shape: shape, storage: .int32(asInt64s().map { Int32(truncatingIfNeeded: $0) }))
    case .int8: return Tensor(shape: shape, storage: .int8(asInt64s().map { Int8(truncatingIfNeeded: $0) }))
    case .uint8:
      return Tensor(shape: shape, storage: .uint8(asInt64s().map { UInt8(truncatingIfNeeded: $0) }))
    case .bool:
      if case .float32(let v) = storage { return Tensor(shape: shape, storage: .bool(v.map { $0 != 0 })) }
      return Tensor(shape: shape, storage: .bool(asInt64s().map { $0 != 0 }))
    }
  }
}
