extension CalibrationRangeSearch {
  /// The mean-squared-error clipping range: the `[a, b]` minimizing the expected squared error of int8
  /// asymmetric quantization (256 levels, step `s = (b − a)/255`) over the histogram.
  ///
  /// With `w` the bin width, each bin's values are taken as uniform within it. The expected error of a
  /// candidate is
  ///
  ///     E(a, b) = Σ_{bins above b} h·((c − b)² + w²/12) + Σ_{bins below a} h·((a − c)² + w²/12)
  ///             + (N_in − Z) · s²/12
  ///
  /// where `c` is a bin's centre, `N_in` the values inside `[a, b]` and `Z` the exact zeros, which
  /// int8 represents exactly (zero is always in the range). The first two terms are the clipping error, the
  /// last the rounding error of uniform noise. Candidates for `b` are the bin edges `i·w` above zero and
  /// the observed maximum (likewise for `a` below zero; `a = 0` or `b = 0` when the data has one sign),
  /// at most about 512 per side, then every edge around the best pair. Ties keep the wider range.
  public static func mseRange(_ histogram: CalibrationHistogram) -> (Float, Float) {
    let low = histogram.minimum
    let high = histogram.maximum
    let width = histogram.binWidth
    let upper = candidates(side(histogram, positive: true), width: width, extreme: Double(high))
    let lower = candidates(side(histogram, positive: false), width: width, extreme: Double(-low))
    let noisy = Double(histogram.total - histogram.zeroCount)
    func error(_ a: Candidate, _ b: Candidate) -> Double {
      let step = (a.value + b.value) / 255
      let inside = Swift.max(0, noisy - a.clipped - b.clipped)
      return width * width * (a.error + b.error) + inside * step * step / 12
    }
    func search(_ lows: [Int], _ highs: [Int], from start: (Int, Int)) -> (Int, Int) {
      var best = start
      var smallest = error(lower[start.0], upper[start.1])
      for i in lows {
        for j in highs {
          let e = error(lower[i], upper[j])
          if e < smallest || (e == smallest && i + j > best.0 + best.1) {
            smallest = e
            best = (i, j)
          }
        }
      }
      return best
    }
    let lowStride = Swift.max(1, lower.count / 512)
    let highStride = Swift.max(1, upper.count / 512)
    let everyLow = Array(Swift.stride(from: lower.count - 1, through: 0, by: -lowStride))
    let everyHigh = Array(Swift.stride(from: upper.count - 1, through: 0, by: -highStride))
    let coarse = search(everyLow, everyHigh, from: (lower.count - 1, upper.count - 1))
    let near = { (index: Int, stride: Int, count: Int) -> [Int] in
      Array(Swift.max(0, index - stride)...Swift.min(count - 1, index + stride))
    }
    let fine = search(
      near(coarse.0, lowStride, lower.count), near(coarse.1, highStride, upper.count), from: coarse)
    return (Float(-lower[fine.0].value), Float(upper[fine.1].value))
  }

  /// One candidate end of the range on one side of zero.
  struct Candidate {
    /// Its distance from zero.
    var value: Double
    /// The clipping error beyond it, in units of `w²`.
    var error: Double
    /// The values beyond it.
    var clipped: Double
  }

  /// The candidate ends on one side: bin edges `i·w` for `i` in `1..<n`, then the extreme (no clipping).
  /// An empty side has the single candidate 0.
  static func candidates(_ counts: [Double], width: Double, extreme: Double) -> [Candidate] {
    let n = counts.count
    guard n > 0, extreme > 0 else { return [Candidate(value: 0, error: 0, clipped: 0)] }
    // Suffix sums, outermost first: with bins k ≥ i clipped, err(i) = Σ h·(k + ½ − i)² and
    // lever(i) = Σ h·(k + ½ − i); both follow from i + 1 without cancellation.
    var result = [Candidate](repeating: Candidate(value: extreme, error: 0, clipped: 0), count: n)
    var squared = 0.0
    var lever = 0.0
    var clipped = 0.0
    for i in Swift.stride(from: n - 1, through: 1, by: -1) {
      let h = counts[i]
      squared += 2 * lever + clipped + 0.25 * h
      lever += clipped + 0.5 * h
      clipped += h
      result[i - 1] = Candidate(value: Double(i) * width, error: squared + clipped / 12, clipped: clipped)
    }
    return result
  }
}
