/// A float array with its shape: the values and gradients the training engine computes on.
///
/// Kept apart from `Tensor` because gradients are accumulated in place, which needs mutable storage.
struct TrainValue: Sendable, Equatable {
  /// The dimensions, outermost first.
  var shape: [Int]
  /// The elements in row-major order.
  var values: [Float]

  /// Creates a value; the element count must match the shape.
  init(shape: [Int], values: [Float]) {
    precondition(Tensor.elementCount(shape) == values.count, "shape \(shape) for \(values.count) values")
    self.shape = shape
    self.values = values
  }

  /// Zeros of `shape`, in an array reused from an earlier step when there is one.
  static func zeros(_ shape: [Int]) -> TrainValue {
    var value = unfilled(shape)
    let count = value.count
    value.values.withMutablePointer { Kernels.fill($0, 0, count) }
    return value
  }

  /// A value of `shape` with unspecified elements, for rules that write every element (an array reused
  /// from an earlier step when there is one).
  static func unfilled(_ shape: [Int]) -> TrainValue {
    TrainValue(shape: shape, values: FloatBufferPool.take(Tensor.elementCount(shape)))
  }

  /// Hands the elements to `FloatBufferPool` for a later step.
  consuming func recycle() { FloatBufferPool.give(values) }

  /// The value of a tensor (converted to float).
  init(_ tensor: Tensor) {
    self.init(shape: tensor.shape, values: tensor.floats ?? tensor.asFloats())
  }

  /// The number of elements.
  var count: Int { values.count }

  /// The value as a float32 tensor.
  var tensor: Tensor { Tensor(shape: shape, floats: values) }

  /// Adds `other` (same element count) into this value.
  mutating func add(_ other: TrainValue) {
    precondition(other.count == count, "gradient of \(other.shape) added to \(shape)")
    values.withUnsafeMutableBufferPointer { target in
      other.values.withUnsafeBufferPointer { source in
        for i in 0..<target.count { target[i] += source[i] }
      }
    }
  }
}

/// One float kept aside so that pointer helpers can hand out a valid address for an empty array.
nonisolated(unsafe) private let emptyFloats = UnsafeMutablePointer<Float>.allocate(capacity: 1)

extension Array where Element == Float {
  /// Calls `body` with the address of the elements (a valid, unused address when the array is empty).
  @inline(__always)
  func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
    try withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(emptyFloats)) }
  }

  /// Calls `body` with the mutable address of the elements (a valid, unused address when empty).
  @inline(__always)
  mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
    try withUnsafeMutableBufferPointer { try body($0.baseAddress ?? emptyFloats) }
  }
}
