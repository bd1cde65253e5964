/// The quantization range a calibration chose for one tensor, and the data range it saw.
public struct CalibrationRange: Sendable, Equatable {
  /// The lower end of the clipping range (at most 0).
  public var min: Float
  /// The upper end of the clipping range (at least 0).
  public var max: Float
  /// The smallest finite value observed.
  public var observedMin: Float
  /// The largest finite value observed.
  public var observedMax: Float

  /// Creates a range.
  public init(min: Float, max: Float, observedMin: Float, observedMax: Float) {
    self.min = min
    self.max = max
    self.observedMin = observedMin
    self.observedMax = observedMax
  }

  /// Whether the method clipped the data (the chosen range is narrower than the observed one).
  public var isClipped: Bool { min > Swift.min(observedMin, 0) || max < Swift.max(observedMax, 0) }
}

/// Turns an observer's statistics into a range, by method.
///
/// Every method returns a range that contains 0 (TFLite needs zero exactly representable; a range that
/// does not reach 0 is extended to it) and lies within the observed data range otherwise:
///
/// - `minmax`: `[min(observed min, 0), max(observed max, 0)]`.
/// - `percentile p`: the `p`-th percentile of the values, from the histogram's cumulative counts with
///   linear interpolation inside a bin (so within one bin width of the exact order statistic). Data of one
///   sign clips only the tail away from zero, by `(100 − p)%` of the samples; signed data clips both
///   tails by `(100 − p)/2 %` each, as ONNX Runtime's asymmetric percentile does.
/// - `entropy`: see `entropyRange(_:)`; `mse`: see `mseRange(_:)`.
public enum CalibrationRangeSearch {
  /// The range of `observer` under `method` (`percentile` only matters for `.percentile`).
  ///
  /// A method that needs a histogram falls back to `minmax` when the observer has none.
  public static func range(
    _ observer: CalibrationObserver, method: CalibrationMethod, percentile: Double = 99.99
  ) -> CalibrationRange {
    guard observer.count > 0 else { return CalibrationRange(min: 0, max: 0, observedMin: 0, observedMax: 0) }
    let low = observer.minimum
    let high = observer.maximum
    var chosen = (low, high)
    if let histogram = observer.histogram, histogram.total > 0 {
      switch method {
      case .minmax: break
      case .percentile: chosen = percentileRange(histogram, percentile: percentile)
      case .entropy: chosen = entropyRange(histogram)
      case .mse: chosen = mseRange(histogram)
      }
    }
    let lower = Swift.min(Swift.max(chosen.0, low), 0)
    let upper = Swift.max(Swift.min(chosen.1, high), 0)
    return CalibrationRange(min: lower, max: upper, observedMin: low, observedMax: high)
  }

  /// The percentile clipping range (see the type's documentation).
  public static func percentileRange(_ histogram: CalibrationHistogram, percentile: Double) -> (Float, Float)
  {
    let cut = Swift.max(0, Swift.min(1, (100 - percentile) / 100))
    let low = histogram.minimum
    let high = histogram.maximum
    if low < 0 && high > 0 {
      return (Float(quantile(histogram, cut / 2)), Float(quantile(histogram, 1 - cut / 2)))
    }
    if low >= 0 { return (low, Float(quantile(histogram, 1 - cut))) }
    return (Float(quantile(histogram, cut)), high)
  }

  /// The value below which a fraction `q` of the counted values lie, interpolated linearly in its bin and
  /// clamped to the observed range; `q <= 0` gives the minimum and `q >= 1` the maximum.
  public static func quantile(_ histogram: CalibrationHistogram, _ q: Double) -> Double {
    let low = Double(histogram.minimum)
    let high = Double(histogram.maximum)
    guard histogram.total > 0 else { return 0 }
    if q <= 0 { return low }
    if q >= 1 { return high }
    let rank = q * Double(histogram.total)
    var below = 0.0
    for k in 0..<histogram.occupiedCount {
      let count = Double(histogram.counts[k])
      if count > 0 && below + count >= rank {
        let value = histogram.lowerEdge(k) + histogram.binWidth * (rank - below) / count
        return Swift.min(Swift.max(value, low), high)
      }
      below += count
    }
    return high
  }

  /// The counts of one side of zero, ordered outward from zero: bin `m` of the positive side covers
  /// `[m·w, (m+1)·w)` and of the negative side `[−(m+1)·w, −m·w)`. Exact zeros belong to the positive side.
  static func side(_ histogram: CalibrationHistogram, positive: Bool) -> [Double] {
    guard histogram.total > 0 else { return [] }
    let first = histogram.offset
    let last = histogram.offset + histogram.occupiedCount - 1
    if positive {
      guard last >= 0 else { return [] }
      return (0...last).map { Double(histogram.count(globalIndex: $0)) }
    }
    guard first < 0 else { return [] }
    return (0..<(-first)).map { Double(histogram.count(globalIndex: -1 - $0)) }
  }
}
