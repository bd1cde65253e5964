import Foundation
import JumpEngine
import Testing

/// Seeded samples for the calibration tests (SplitMix64, so every platform draws the same numbers).
struct CalibrationSamples {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1).
  mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

  /// `count` values uniform in `[low, high)`.
  mutating func uniform(_ count: Int, _ low: Double, _ high: Double) -> [Float] {
    (0..<count).map { _ in Float(low + (high - low) * unit()) }
  }

  /// `count` standard normal values (Box–Muller).
  mutating func normal(_ count: Int, mean: Double = 0, deviation: Double = 1) -> [Float] {
    (0..<count).map { _ in
      let u = Swift.max(unit(), 1e-300)
      let v = unit()
      return Float(mean + deviation * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
    }
  }

  /// `count` values of Student's t distribution with 3 degrees of freedom (tails falling as `x^-4`).
  mutating func studentT(_ count: Int) -> [Float] {
    let z = normal(count)
    let chi = normal(3 * count)
    return (0..<count).map { i in
      let squares =
        chi[3 * i] * chi[3 * i] + chi[3 * i + 1] * chi[3 * i + 1] + chi[3 * i + 2] * chi[3 * i + 2]
      return z[i] / (squares / 3).squareRoot()
    }
  }

  /// `count` Laplace values (heavy tails) with scale `b`.
  mutating func laplace(_ count: Int, scale b: Double = 1) -> [Float] {
    (0..<count).map { _ in
      let u = unit() - 0.5
      return Float(-b * (u < 0 ? -1.0 : 1.0) * log(Swift.max(1 - 2 * abs(u), 1e-300)))
    }
  }
}

@Suite("Calibration histogram")
struct CalibrationHistogramTests {
  /// A histogram of `values` added in chunks of the given sizes (cycled).
  static func histogram(_ values: [Float], bins: Int = 2048, chunks: [Int]) -> CalibrationHistogram {
    var histogram = CalibrationHistogram(bins: bins)
    var start = 0
    var index = 0
    while start < values.count {
      let end = min(values.count, start + chunks[index % chunks.count])
      histogram.add(Array(values[start..<end]))
      start = end
      index += 1
    }
    return histogram
  }

  @Test("growing the range re-bins by merging: every count is kept")
  func growthPreservesCounts() {
    var histogram = CalibrationHistogram(bins: 256)
    var samples = CalibrationSamples(seed: 1)
    histogram.add(samples.uniform(1000, 0, 1))
    let narrow = histogram.binWidth
    histogram.add(samples.uniform(1000, -40, 90))
    histogram.add([1e4, -3e3])
    #expect(histogram.binWidth > narrow)
    #expect(histogram.total == 2002)
    #expect(histogram.counts.reduce(0, +) == 2002)
    #expect(histogram.minimum == -3e3 && histogram.maximum == 1e4)
    #expect(histogram.occupiedCount <= 256)
    #expect(histogram.occupiedCount > 256 / 2 - 1)
  }

  @Test("the width is the smallest power of two that fits, and each value is in its bin")
  func valuesLandInTheirBins() {
    let values: [Float] = [-2.5, -0.001, 0, 0, 0.3, 1, 7.75]
    var histogram = CalibrationHistogram(bins: 128)
    histogram.add(values)
    let width = histogram.binWidth
    #expect(width == 0.125)  // at 1/16, bins -40...124 would not fit in 128; at 1/8, -20...62 do
    for x in Set(values) {
      let j = Int((Double(x) / width).rounded(.down))
      #expect(
        histogram.count(globalIndex: j)
          == values.filter { Int((Double($0) / width).rounded(.down)) == j }.count)
    }
    #expect(histogram.zeroCount == 2)
    #expect(histogram.lowerEdge(0) == -2.5)
  }

  @Test("streaming in any batches gives exactly the histogram of one batch")
  func batchingDoesNotMatter() {
    var samples = CalibrationSamples(seed: 2)
    let values = samples.normal(30000, mean: 1, deviation: 3) + samples.laplace(5000, scale: 20)
    let whole = Self.histogram(values, chunks: [values.count])
    for chunks in [[1000], [7, 4093, 1], [35001], [2, 3]] {
      #expect(Self.histogram(values, chunks: chunks) == whole, "chunks \(chunks)")
    }
    let reversed = Self.histogram(values.reversed(), chunks: [333])
    #expect(reversed == whole)
  }

  @Test("NaN and infinities are left out; an all-zero tensor has one occupied bin")
  func nonFiniteAndZeros() {
    var observer = CalibrationObserver(name: "x", bins: 512)
    observer.observe([Float.nan, 1, .infinity, -2, -.infinity, 0])
    #expect(observer.count == 3)
    #expect(observer.nonFiniteCount == 3)
    #expect(observer.minimum == -2 && observer.maximum == 1)
    #expect(observer.histogram?.total == 3)
    var zeros = CalibrationHistogram(bins: 128)
    zeros.add([Float](repeating: 0, count: 100))
    #expect(zeros.total == 100 && zeros.zeroCount == 100 && zeros.occupiedCount == 1)
    zeros.add([5])
    #expect(zeros.total == 101 && zeros.counts.reduce(0, +) == 101)
  }

  @Test("the observer's fast extent pass agrees with a plain loop")
  func extentMatchesPlainLoop() {
    var samples = CalibrationSamples(seed: 3)
    for count in [0, 1, 7, 8, 9, 1001] {
      let values = samples.normal(count)
      var observer = CalibrationObserver(name: "x", bins: nil)
      observer.observe(values)
      #expect(observer.count == count)
      #expect(observer.minimum == (values.min() ?? .infinity))
      #expect(observer.maximum == (values.max() ?? -.infinity))
      #expect(observer.histogram == nil)
    }
  }
}
