/// A number with a dimension, stored in the dimension's base unit (bytes, seconds, hertz).
public struct Quantity: Sendable, Equatable {
  /// The magnitude in base units.
  public var value: Double
  /// What it measures.
  public var dimension: Dimension

  /// A plain number.
  public init(_ value: Double) {
    self.value = value
    self.dimension = .none
  }

  /// A number in a base unit of `dimension`.
  public init(_ value: Double, _ dimension: Dimension) {
    self.value = value
    self.dimension = dimension
  }

  /// A literal as written: `264` with `KB` becomes 270,336 bytes.
  public init(literal: Double, unit: Unit) {
    self.value = literal * unit.scale
    self.dimension = unit.dimension
  }

  /// Bytes.
  public static func bytes(_ count: Int) -> Quantity { Quantity(Double(count), .bytes) }

  /// True when the value is a whole number.
  public var isInteger: Bool { value.rounded() == value && abs(value) < 9e15 }
}
