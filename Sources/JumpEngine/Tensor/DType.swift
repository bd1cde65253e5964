/// The element type of a tensor.
public enum DType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  /// 32-bit IEEE float.
  case float32
  /// 64-bit IEEE float.
  case float64
  /// 64-bit signed integer.
  case int64
  /// 32-bit signed integer.
  case int32
  /// 8-bit signed integer.
  case int8
  /// 8-bit unsigned integer.
  case uint8
  /// Boolean stored as one byte (0 or 1).
  case bool

  /// The size of one element in bytes.
  public var byteSize: Int {
    switch self {
    case .float32, .int32: return 4
    case .float64, .int64: return 8
    case .int8, .uint8, .bool: return 1
    }
  }

  /// True for `float32` and `float64`.
  public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

  /// True for the integer types (not `bool`).
  public var isInteger: Bool {
    switch self {
    case .int64, .int32, .int8, .uint8: return true
    default: return false
    }
  }

  /// The short name used in messages (`float32`, `int8`, ...).
  public var description: String { rawValue }
}
