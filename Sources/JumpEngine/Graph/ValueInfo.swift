/// One dimension of a value's shape: a fixed size or a symbolic name such as `"batch"`.
public enum Dim: Hashable, Sendable, CustomStringConvertible {
  /// A known size.
  case fixed(Int)
  /// A size known only by name (for example the batch dimension).
  case symbolic(String)

  /// The size when fixed, nil when symbolic.
  public var value: Int? {
    if case .fixed(let v) = self { return v }
    return nil
  }

  /// The size, with every symbolic dimension taken as `symbolicValue` (1 for batch-1 reports).
  public func resolved(symbolicValue: Int = 1) -> Int { value ?? symbolicValue }

  /// `3` or `batch`.
  public var description: String {
    switch self {
    case .fixed(let v): return String(v)
    case .symbolic(let s): return s
    }
  }
}

/// The name, shape and element type of a value in a graph (an input, output or intermediate).
public struct ValueInfo: Hashable, Sendable, CustomStringConvertible {
  /// The value's name, unique in its graph.
  public var name: String
  /// The shape, outermost dimension first.
  public var shape: [Dim]
  /// The element type.
  public var dtype: DType

  /// Creates a value description.
  public init(name: String, shape: [Dim], dtype: DType = .float32) {
    self.name = name
    self.shape = shape
    self.dtype = dtype
  }

  /// Creates a value description with fixed dimensions.
  public init(name: String, fixedShape: [Int], dtype: DType = .float32) {
    self.init(name: name, shape: fixedShape.map { .fixed($0) }, dtype: dtype)
  }

  /// The shape with every symbolic dimension resolved to `symbolicValue`.
  public func concreteShape(symbolicValue: Int = 1) -> [Int] {
    shape.map { $0.resolved(symbolicValue: symbolicValue) }
  }

  /// The fixed shape, or nil if any dimension is symbolic.
  public var fixedShape: [Int]? {
    var dims: [Int] = []
    for d in shape {
      guard let v = d.value else { return nil }
      dims.append(v)
    }
    return dims
  }

  /// `[batch, 3, 32, 32]`.
  public static func format(_ shape: [Dim]) -> String {
    "[" + shape.map(\.description).joined(separator: ", ") + "]"
  }

  /// `x: float32 [batch, 3, 32, 32]`.
  public var description: String { "\(name): \(dtype) \(ValueInfo.format(shape))" }
}
