/// The streaming statistics of one activation tensor: bounded state, updated batch by batch.
///
/// It keeps the exact running minimum and maximum of the finite values, a count of non-finite ones, and
/// (for every method but `minmax`) a `CalibrationHistogram` of fixed size. Nothing grows with the number
/// of samples.
public struct CalibrationObserver: Sendable, Equatable {
  /// The tensor's name in the graph.
  public let name: String
  /// The smallest finite value seen (`+inf` before any).
  public private(set) var minimum = Float.infinity
  /// The largest finite value seen (`-inf` before any).
  public private(set) var maximum = -Float.infinity
  /// Finite values seen.
  public private(set) var count = 0
  /// NaN and infinite values seen (left out of every statistic).
  public private(set) var nonFiniteCount = 0
  /// The histogram, when the method needs one.
  public private(set) var histogram: CalibrationHistogram?

  /// An observer for `name`; `bins` nil keeps only the minimum and maximum.
  public init(name: String, bins: Int?) {
    self.name = name
    histogram = bins.map { CalibrationHistogram(bins: $0) }
  }

  /// Adds a batch of values.
  public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
    let extent = Self.extent(values)
    nonFiniteCount += values.count - extent.finite
    guard extent.finite > 0 else { return }
    count += extent.finite
    minimum = min(minimum, extent.lower)
    maximum = max(maximum, extent.upper)
    histogram?.add(values, lower: extent.lower, upper: extent.upper)
  }

  /// Adds the values of an array.
  public mutating func observe(_ values: [Float]) {
    values.withUnsafeBufferPointer { observe($0) }
  }

  /// The finite minimum and maximum of `values` and how many values are finite.
  ///
  /// Comparisons with NaN are false, so the fast loop ignores NaN; it needs a second, careful pass only
  /// when it meets an infinity or a NaN.
  static func extent(_ values: UnsafeBufferPointer<Float>) -> (lower: Float, upper: Float, finite: Int) {
    guard let base = values.baseAddress, !values.isEmpty else { return (.infinity, -.infinity, 0) }
    let n = values.count
    var low = SIMD8<Float>(repeating: .infinity)
    var high = SIMD8<Float>(repeating: -.infinity)
    var nan = SIMDMask<SIMD8<Int32>>(repeating: false)
    let raw = UnsafeRawPointer(base)
    var i = 0
    while i + 8 <= n {
      let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
      low = low.replacing(with: v, where: v .< low)
      high = high.replacing(with: v, where: v .> high)
      nan .|= v .!= v
      i &+= 8
    }
    var lower = low.min()
    var upper = high.max()
    var sawNaN = any(nan)
    while i < n {
      let x = base[i]
      if x < lower { lower = x }
      if x > upper { upper = x }
      if x != x { sawNaN = true }
      i &+= 1
    }
    guard sawNaN || lower == -.infinity || upper == .infinity else { return (lower, upper, n) }
    lower = .infinity
    upper = -.infinity
    var finite = 0
    for x in values where x.isFinite {
      lower = min(lower, x)
      upper = max(upper, x)
      finite += 1
    }
    return (lower, upper, finite)
  }
}
