/// A streaming histogram with a fixed number of bins over a range that grows with the data.
///
/// Bins lie on a grid anchored at zero: bin `j` (a global index) covers `[j·w, (j+1)·w)` and the width
/// `w = 2^exponent` is a power of two. The histogram stores `bins` counts starting at global index
/// `offset = floor(minimum / w)`. When new data does not fit, the width doubles as often as needed and
/// each old bin is added, whole, to the one new bin that contains it (`j >> k`): counts are merged exactly,
/// never interpolated, and no sample is kept.
///
/// The width is always the smallest power of two for which the data fits in `bins` bins and which is at
/// least half a float ulp of the largest magnitude seen. Because both conditions only ever tighten as
/// data arrives, the final histogram depends on the values seen and not on how they were batched:
/// streaming a tensor in any number of batches gives exactly the histogram of one batch. The price is
/// resolution: the data spans between `bins / 2` and `bins` bins.
public struct CalibrationHistogram: Sendable, Equatable {
  /// The number of bins (the state's size).
  public let capacity: Int
  /// The bin width is `2^exponent`.
  public private(set) var exponent: Int = 0
  /// The global index of `counts[0]`.
  public private(set) var offset: Int = 0
  /// The counts, `capacity` of them; bins past the data are zero.
  public private(set) var counts: [Int]
  /// Finite values counted.
  public private(set) var total = 0
  /// Values exactly zero (also counted in their bin).
  public private(set) var zeroCount = 0
  /// The smallest finite value counted.
  public private(set) var minimum = Float.infinity
  /// The largest finite value counted.
  public private(set) var maximum = -Float.infinity

  /// The smallest exponent used, for tensors that are all zero.
  static let smallestExponent = -160

  /// An empty histogram of `bins` bins (at least 2, at most `2^28` so bin indices fit 32 bits).
  public init(bins: Int) {
    precondition(bins <= 1 << 28, "CalibrationHistogram: \(bins) bins, at most 2^28 are supported")
    capacity = max(2, bins)
    counts = Array(repeating: 0, count: capacity)
  }

  /// The bin width.
  public var binWidth: Double { Self.power(exponent) }

  /// The number of bins from `counts[0]` to the bin holding the maximum (0 when empty).
  public var occupiedCount: Int {
    guard total > 0 else { return 0 }
    return Self.floorIndex(maximum, exponent: exponent) - offset + 1
  }

  /// The lower edge of `counts[k]`.
  public func lowerEdge(_ k: Int) -> Double { Double(offset + k) * binWidth }

  /// The count of the bin with global index `j` (zero outside the stored window).
  public func count(globalIndex j: Int) -> Int {
    let k = j - offset
    return k >= 0 && k < capacity ? counts[k] : 0
  }

  /// Adds every value in `[lower, upper]` (the finite extent of `values`, found by the caller);
  /// values outside it (NaN, infinities) are skipped.
  ///
  /// Bin indices are computed a block at a time (eight lanes at once, see `BinIndexer`), then counted
  /// into four interleaved sub-histograms, which break the dependency chain on a popular bin (ReLU
  /// zeros). Each sub-histogram has a spare last slot for the skipped values, and chunks of at most
  /// `2^31` values keep every 32-bit counter from overflowing.
  public mutating func add(_ values: UnsafeBufferPointer<Float>, lower: Float, upper: Float) {
    guard lower <= upper, lower.isFinite, upper.isFinite else { return }
    grow(toInclude: min(lower, minimum), max(upper, maximum))
    let indexer = BinIndexer(
      lower: lower, upper: upper, exponent: exponent, offset: offset, capacity: capacity)
    let bins = capacity
    let stride = bins + 1
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4 * stride) { scratch in
      withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.blockSize) { block in
        guard let local = scratch.baseAddress, let indices = block.baseAddress, let input = values.baseAddress
        else { return }
        var start = 0
        while start < values.count {
          let end = min(values.count, start + (1 << 31))
          local.initialize(repeating: 0, count: 4 * stride)
          var zeros = 0
          var first = start
          while first < end {
            let last = min(end, first + Self.blockSize)
            let n = last - first
            zeros += indexer.indices(UnsafeBufferPointer(start: input + first, count: n), into: indices)
            var i = 0
            while i + 4 <= n {
              local[Int(indices[i])] &+= 1
              local[stride &+ Int(indices[i &+ 1])] &+= 1
              local[2 &* stride &+ Int(indices[i &+ 2])] &+= 1
              local[3 &* stride &+ Int(indices[i &+ 3])] &+= 1
              i &+= 4
            }
            while i < n {
              local[Int(indices[i])] &+= 1
              i &+= 1
            }
            first = last
          }
          var counted = 0
          counts.withUnsafeMutableBufferPointer { totals in
            for k in 0..<bins {
              let sum =
                Int(local[k]) &+ Int(local[stride + k]) &+ Int(local[2 * stride + k])
                &+ Int(local[3 * stride + k])
              totals[k] &+= sum
              counted &+= sum
            }
          }
          total += counted
          zeroCount += zeros
          start = end
        }
      }
    }
  }

  /// Values per block of bin indices (small enough to stay in the L1 cache with the sub-histograms).
  static let blockSize = 512

  /// Adds the values of an array (see `add(_:lower:upper:)`).
  public mutating func add(_ values: [Float]) {
    var lower = Float.infinity
    var upper = -Float.infinity
    for x in values where x.isFinite {
      lower = min(lower, x)
      upper = max(upper, x)
    }
    values.withUnsafeBufferPointer { add($0, lower: lower, upper: upper) }
  }

  /// Widens the bins (merging them exactly) and moves the window so that `[low, high]` fits.
  mutating func grow(toInclude low: Float, _ high: Float) {
    let magnitude = max(abs(low), abs(high))
    var wanted = magnitude > 0 ? Int(magnitude.exponent) - 24 : Self.smallestExponent
    if total > 0 { wanted = max(wanted, exponent) }
    while Self.floorIndex(high, exponent: wanted) - Self.floorIndex(low, exponent: wanted) + 1 > capacity {
      wanted += 1
    }
    let newOffset = Self.floorIndex(low, exponent: wanted)
    if total > 0 && (wanted != exponent || newOffset != offset) {
      let shift = wanted - exponent
      var merged = Array(repeating: 0, count: capacity)
      for (k, count) in counts.enumerated() where count > 0 {
        merged[((offset + k) >> shift) - newOffset] += count
      }
      counts = merged
    }
    exponent = wanted
    offset = newOffset
    minimum = min(minimum, low)
    maximum = max(maximum, high)
  }

  /// `floor(x / 2^exponent)`, exactly.
  static func floorIndex(_ x: Float, exponent: Int) -> Int {
    Int((Double(x) * power(-exponent)).rounded(.down))
  }

  /// `2^e` as a double (exact for the exponents used here).
  static func power(_ e: Int) -> Double { Double(sign: .plus, exponent: e, significand: 1) }
}
