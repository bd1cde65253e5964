/// A small tensor computed at load time whose elements may be symbolic (a named dimension such as `batch`).
///
/// Shape subgraphs (`Shape -> Gather -> Unsqueeze -> Concat -> Reshape`) are evaluated on these values, so a
/// reshape target like `[batch, -1]` survives even when the batch dimension has no fixed size.
struct FoldedValue: Equatable {
  /// One element: a known integer, a known float, or a symbolic dimension.
  enum Element: Hashable {
    case int(Int64)
    case float(Double)
    case symbol(String)

    /// The element as an integer, nil if symbolic.
    var int: Int64? {
      switch self {
      case .int(let v): return v
      case .float(let v): return v.isFinite ? Int64(exactly: v.rounded(.towardZero)) : nil
      case .symbol: return nil
      }
    }

    /// The element as a float, nil if symbolic.
    var double: Double? {
      switch self {
      case .int(let v): return Double(v)
      case .float(let v): return v
      case .symbol: return nil
      }
    }
  }

  /// The dimensions.
  var shape: [Int]
  /// The element type the value has in the model.
  var dtype: DType
  /// The elements in row-major order.
  var elements: [Element]

  /// Wraps a known tensor.
  init(_ tensor: Tensor) {
    shape = tensor.shape
    dtype = tensor.dtype
    if tensor.dtype.isFloatingPoint {
      elements = tensor.asFloats().map { .float(Double($0)) }
      if case .float64(let v) = tensor.storage { elements = v.map { .float($0) } }
    } else {
      elements = tensor.asInt64s().map { .int($0) }
    }
  }

  /// Creates a value from elements.
  init(shape: [Int], dtype: DType, elements: [Element]) {
    self.shape = shape
    self.dtype = dtype
    self.elements = elements
  }

  /// True when no element is symbolic.
  var isKnown: Bool {
    elements.allSatisfy {
      if case .symbol = $0 { return false }
      return true
    }
  }

  /// The elements as integers, nil if any is symbolic.
  var ints: [Int]? {
    var result: [Int] = []
    result.reserveCapacity(elements.count)
    for e in elements {
      guard let v = e.int else { return nil }
      result.append(Int(clamping: v))
    }
    return result
  }

  /// The value as a tensor, nil if any element is symbolic.
  var tensor: Tensor? {
    guard isKnown else { return nil }
    switch dtype {
    case .float32: return Tensor(shape: shape, storage: .float32(elements.map { Float($0.double ?? 0) }))
    case .float64: return Tensor(shape: shape, storage: .float64(elements.map { $0.double ?? 0 }))
    case .int64: return Tensor(shape: shape, storage: .int64(elements.map { $0.int ?? 0 }))
    case .int32:
      return Tensor(shape: shape, storage: .int32(elements.map { Int32(truncatingIfNeeded: $0.int ?? 0) }))
    case .int8:
      return Tensor(shape: shape, storage: .int8(elements.map { Int8(truncatingIfNeeded: $0.int ?? 0) }))
    case .uint8:
      return Tensor(shape: shape, storage: .uint8(elements.map { UInt8(truncatingIfNeeded: $0.int ?? 0) }))
    case .bool: return Tensor(shape: shape, storage: .bool(elements.map { ($0.int ?? 0) != 0 }))
    }
  }

  /// The elements at `indices`, under a new shape.
  func selecting(_ indices: [Int], shape newShape: [Int]) -> FoldedValue {
    FoldedValue(shape: newShape, dtype: dtype, elements: indices.map { elements[$0] })
  }

  /// The value with each element converted to `target` (symbols survive only an integer target).
  func cast(to target: DType) -> FoldedValue? {
    var result: [Element] = []
    for e in elements {
      switch (e, target.isFloatingPoint) {
      case (.symbol, true): return nil
      case (.symbol, false): result.append(e)
      case (_, true): result.append(.float(e.double ?? 0))
      case (_, false):
        if target == .bool {
          result.append(.int((e.double ?? 0) != 0 ? 1 : 0))
        } else {
          result.append(.int(e.int ?? 0))
        }
      }
    }
    return FoldedValue(shape: shape, dtype: target, elements: result)
  }

  /// Applies a broadcasting binary operation; nil when a symbolic element cannot be carried through.
  static func binary(_ op: String, _ a: FoldedValue, _ b: FoldedValue) -> FoldedValue? {
    guard let outShape = broadcastShape(a.shape, b.shape) else { return nil }
    let ia = broadcastIndices(from: a.shape, to: outShape)
    let ib = broadcastIndices(from: b.shape, to: outShape)
    var result: [Element] = []
    result.reserveCapacity(ia.count)
    for (x, y) in zip(ia, ib) {
      guard let v = apply(op, a.elements[x], b.elements[y], floating: a.dtype.isFloatingPoint) else {
        return nil
      }
      result.append(v)
    }
    return FoldedValue(shape: outShape, dtype: a.dtype, elements: result)
  }

  private static func apply(_ op: String, _ x: Element, _ y: Element, floating: Bool) -> Element? {
    switch (x, y) {
    case (.symbol, _), (_, .symbol):
      // Only identities keep a symbol: s*1, 1*s, s+0, 0+s, s-0, s/1.
      if case .symbol = x, let v = y.int {
        if (op == "Mul" || op == "Div") && v == 1 { return x }
        if (op == "Add" || op == "Sub") && v == 0 { return x }
      }
      if case .symbol = y, let v = x.int {
        if op == "Mul" && v == 1 { return y }
        if op == "Add" && v == 0 { return y }
      }
      return nil
    default:
      if floating {
        guard let p = x.double, let q = y.double else { return nil }
        switch op {
        case "Add": return .float(p + q)
        case "Sub": return .float(p - q)
        case "Mul": return .float(p * q)
        default: return .float(p / q)
        }
      }
      guard let p = x.int, let q = y.int else { return nil }
      switch op {
      case "Add": return .int(p &+ q)
      case "Sub": return .int(p &- q)
      case "Mul": return .int(p &* q)
      default: return q == 0 ? nil : .int(p / q)
      }
    }
  }

  /// NumPy broadcast of two fixed shapes, nil if incompatible.
  static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    let pa = Array(repeating: 1, count: rank - a.count) + a
    let pb = Array(repeating: 1, count: rank - b.count) + b
    var out: [Int] = []
    for (x, y) in zip(pa, pb) {
      guard x == y || x == 1 || y == 1 else { return nil }
      out.append(x == 1 ? y : x)
    }
    return out
  }

  /// For each element of `outShape` in row-major order, the source index in a tensor of `shape`.
  static func broadcastIndices(from shape: [Int], to outShape: [Int]) -> [Int] {
    let padded = Array(repeating: 1, count: outShape.count - shape.count) + shape
    var offsets = [0]
    for (d, n) in outShape.enumerated() {
      let broadcasting = padded[d] == 1
      var next: [Int] = []
      next.reserveCapacity(offsets.count * n)
      for base in offsets {
        for j in 0..<n { next.append(base * padded[d] + (broadcasting ? 0 : j)) }
      }
      offsets = next
    }
    return offsets
  }
}
