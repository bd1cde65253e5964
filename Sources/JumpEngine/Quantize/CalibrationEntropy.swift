import Foundation

extension CalibrationRangeSearch {
  /// The entropy (KL-divergence) clipping range: TensorRT's threshold search, run on each side of zero.
  ///
  /// TensorRT calibrates symmetric int8 on the histogram of `|x|`. Here each side of zero is searched on its
  /// own, so the two ends of the range can differ as int8 asymmetric allows. For one side, with `h[m]`
  /// the counts outward from zero (`n` bins) and `L` quantization levels (256 when all the data has that
  /// sign, 128 per side when the data is signed):
  ///
  /// 1. for every candidate `i` in `L...n` (every one when `n ≤ 4096`, else about 4096 evenly spaced),
  ///    the reference `P` is `h[0..<i]` with the clipped mass `Σ h[i...]` added to its last bin;
  /// 2. the quantized `Q` merges `h[0..<i]` (without the clipped mass) into `L` levels, level `j` taking
  ///    bins `[j·i/L, (j+1)·i/L)`, and spreads each level's total evenly over the bins where `P > 0`;
  /// 3. `P` and `Q` are normalized and `KL(P‖Q) = Σ p·ln(p/q)` over the bins with `p > 0` (infinite when
  ///    some such bin has `q = 0`);
  /// 4. the `i` with the smallest divergence wins, the threshold being the outer edge of bin `i − 1`
  ///    (`i·w` from zero), or the observed extreme when `i = n`. A side with `n ≤ L` bins is not clipped.
  ///
  /// Only thresholds that clip at most `maximumClippedFraction` of a side's values compete. The divergence
  /// compares the clipped distribution with its own quantization, not with the data, so it rewards
  /// collapsing the data: for values that sit away from zero (a squeeze-excite gate in [0.2, 0.8]) the
  /// threshold at the first occupied bin piles everything into one bin and scores exactly 0. Outliers
  /// are by definition rare, so a cap on the clipped mass keeps the method to what it is for.
  ///
  /// Each candidate costs `O(L)`: prefix sums of `h`, of `h·ln h` and of nonzero bins give every level's
  /// sums at once.
  public static func entropyRange(
    _ histogram: CalibrationHistogram, maximumClippedFraction: Double = 1e-3
  ) -> (Float, Float) {
    let low = histogram.minimum
    let high = histogram.maximum
    let signed = low < 0 && high > 0
    let levels = signed ? 128 : 256
    var upper = high
    var lower = low
    if high > 0 {
      let kept = klBins(
        side(histogram, positive: true), levels: levels, maximumClippedFraction: maximumClippedFraction)
      if let kept { upper = Swift.min(high, Float(Double(kept) * histogram.binWidth)) }
    }
    if low < 0 {
      let kept = klBins(
        side(histogram, positive: false), levels: levels, maximumClippedFraction: maximumClippedFraction)
      if let kept { lower = Swift.max(low, Float(-Double(kept) * histogram.binWidth)) }
    }
    return (lower, upper)
  }

  /// The number of bins (counted outward from zero) whose threshold minimizes the KL divergence, or nil
  /// when keeping every bin is best.
  static func klBins(_ counts: [Double], levels: Int, maximumClippedFraction: Double = 1e-3) -> Int? {
    let n = counts.count
    guard n > levels, levels > 0 else { return nil }
    var mass = [Double](repeating: 0, count: n + 1)
    var entropy = [Double](repeating: 0, count: n + 1)
    var nonzero = [Int](repeating: 0, count: n + 1)
    for (k, h) in counts.enumerated() {
      mass[k + 1] = mass[k] + h
      entropy[k + 1] = entropy[k] + (h > 0 ? h * log(h) : 0)
      nonzero[k + 1] = nonzero[k] + (h > 0 ? 1 : 0)
    }
    let total = mass[n]
    guard total > 0 else { return nil }
    let stride = Swift.max(1, (n - levels) / 4096)
    var best = (divergence: Double.infinity, kept: n)
    var candidates = Array(Swift.stride(from: levels, to: n, by: stride))
    candidates.append(n)
    for i in candidates where total - mass[i] <= maximumClippedFraction * total {
      let divergence = klDivergence(
        keeping: i, levels: levels, counts: counts, mass: mass, entropy: entropy, nonzero: nonzero,
        total: total)
      if divergence < best.divergence || (divergence == best.divergence && i > best.kept) {
        best = (divergence, i)
      }
    }
    return best.kept < n ? best.kept : nil
  }

  /// `KL(P‖Q)` for the threshold keeping `i` bins (see `entropyRange(_:)`).
  static func klDivergence(
    keeping i: Int, levels: Int, counts: [Double], mass: [Double], entropy: [Double], nonzero: [Int],
    total: Double
  ) -> Double {
    let outliers = total - mass[i]
    let kept = mass[i]
    guard kept > 0 else { return .infinity }
    let lastP = counts[i - 1] + outliers
    // Σ P·ln P: the prefix up to bin i − 1, then the last bin with its clipped mass.
    let sumPLogP = entropy[i - 1] + (lastP > 0 ? lastP * log(lastP) : 0)
    var sumPLogQ = 0.0
    for j in 0..<levels {
      let start = j * i / levels
      let end = (j + 1) * i / levels
      guard end > start else { continue }
      let levelTotal = mass[end] - mass[start]
      var levelP = levelTotal
      var bins = nonzero[end] - nonzero[start]
      if end == i {
        levelP += outliers
        if counts[i - 1] == 0 && lastP > 0 { bins += 1 }
      }
      guard levelP > 0 else { continue }
      guard levelTotal > 0 else { return .infinity }
      sumPLogQ += levelP * log(levelTotal / Double(bins))
    }
    // KL = Σ (P/T)·ln((P/T) / (Q/S)) with T = total and S = kept.
    return (sumPLogP - sumPLogQ) / total - log(total) + log(kept)
  }
}
