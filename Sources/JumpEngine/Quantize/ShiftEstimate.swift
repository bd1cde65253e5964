/// How much of a measured mean shift to remove, from per-group shifts.
enum ShiftEstimate {
  /// The position-weighted mean of the per-group shifts of one channel, shrunk towards 0 by its
  /// reliability: `m · m² / (m² + se²)`, where `se` is the standard error of the mean from the spread of
  /// the groups (Wiener shrinkage). A shift that the groups agree on is removed whole; one that is mostly
  /// sampling noise is left alone, since subtracting noise adds error on new data. With fewer than two
  /// non-empty groups the mean is returned as is.
  static func shrunk(_ shifts: [Double], positions: [Int]) -> Double {
    var total = 0.0
    var weighted = 0.0
    for (shift, count) in zip(shifts, positions) where count > 0 {
      total += Double(count)
      weighted += Double(count) * shift
    }
    guard total > 0 else { return 0 }
    let mean = weighted / total
    let used = zip(shifts, positions).filter { $0.1 > 0 }.map(\.0)
    guard used.count >= 2 else { return mean }
    let k = Double(used.count)
    let spread = used.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (k - 1)
    let variance = spread / k
    let squared = mean * mean
    guard squared + variance > 0 else { return 0 }
    return mean * squared / (squared + variance)
  }
}
