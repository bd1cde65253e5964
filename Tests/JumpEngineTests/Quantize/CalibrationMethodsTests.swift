import Foundation
import JumpEngine
import Testing

@Suite("Calibration methods")
struct CalibrationMethodsTests {
  /// An observer holding `values`, with a histogram of `bins` bins.
  static func observer(_ values: [Float], bins: Int = 2048) -> CalibrationObserver {
    var observer = CalibrationObserver(name: "t", bins: bins)
    observer.observe(values)
    return observer
  }

  /// The exact order statistic a fraction `q` of the way through `sorted` (the `ceil(q·n)`-th smallest).
  static func exact(_ sorted: [Float], _ q: Double) -> Float {
    sorted[max(0, min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
  }

  /// The mean squared error of int8 asymmetric quantization (TFLite's zero-point nudging) over `values`.
  static func quantizationError(_ values: [Float], _ range: (Float, Float)) -> Double {
    let low = Double(min(range.0, 0))
    let high = Double(max(range.1, 0))
    let scale = max(high - low, 1e-12) / 255
    let zeroPoint = min(127, max(-128, (-128 - low / scale).rounded()))
    var total = 0.0
    for x in values {
      let q = min(127, max(-128, (Double(x) / scale).rounded() + zeroPoint))
      let e = (q - zeroPoint) * scale - Double(x)
      total += e * e
    }
    return total / Double(values.count)
  }

  @Test("minmax is the exact observed range, extended to zero")
  func minmaxIsExact() {
    var samples = CalibrationSamples(seed: 10)
    let values = samples.normal(10000, mean: 6, deviation: 1)
    for bins: Int? in [nil, 2048] {
      var observer = CalibrationObserver(name: "t", bins: bins)
      observer.observe(values)
      let range = CalibrationRangeSearch.range(observer, method: .minmax)
      #expect(range.observedMin == values.min() && range.observedMax == values.max())
      #expect(range.min == 0 && range.max == values.max())
      #expect(!range.isClipped)
    }
    let signed = CalibrationRangeSearch.range(Self.observer([-1.5, 2, 0.25]), method: .minmax)
    #expect(signed.min == -1.5 && signed.max == 2)
  }

  @Test(
    "percentile of uniform data matches the sorted answer within a bin width",
    arguments: [99.99, 99.9, 99, 90])
  func percentileUniform(percentile: Double) throws {
    var samples = CalibrationSamples(seed: 11)
    let values = samples.uniform(100_000, 0, 1)
    let observer = Self.observer(values)
    let width = try #require(observer.histogram?.binWidth)
    let range = CalibrationRangeSearch.range(observer, method: .percentile, percentile: percentile)
    let expected = Self.exact(values.sorted(), percentile / 100)
    #expect(abs(range.max - expected) <= Float(width), "\(range.max) vs \(expected), bin \(width)")
    #expect(range.min == 0)
  }

  @Test("percentile of signed normal data clips both tails by half the rest", arguments: [99.99, 99.9, 95])
  func percentileNormal(percentile: Double) throws {
    var samples = CalibrationSamples(seed: 12)
    let values = samples.normal(200_000, mean: 0.5, deviation: 2)
    let sorted = values.sorted()
    let observer = Self.observer(values)
    let width = Float(try #require(observer.histogram?.binWidth))
    let range = CalibrationRangeSearch.range(observer, method: .percentile, percentile: percentile)
    let cut = (100 - percentile) / 200
    let low = Self.exact(sorted, cut)
    let high = Self.exact(sorted, 1 - cut)
    #expect(abs(range.min - low) <= width, "\(range.min) vs \(low)")
    #expect(abs(range.max - high) <= width, "\(range.max) vs \(high)")
    #expect(range.isClipped)
    let whole = CalibrationRangeSearch.range(observer, method: .percentile, percentile: 100)
    #expect(whole == CalibrationRangeSearch.range(observer, method: .minmax))
  }

  @Test("entropy and mse clip heavy tails (Student's t, 3 degrees of freedom)")
  func heavyTailsAreClipped() {
    var samples = CalibrationSamples(seed: 13)
    let heavy = samples.studentT(100_000)
    let relu = samples.studentT(100_000).map { max($0, 0) }
    for values in [heavy, relu] {
      let observer = Self.observer(values)
      let minmax = CalibrationRangeSearch.range(observer, method: .minmax)
      // KL clips hard; the squared error of 8 bits is lowest with milder clipping (a brute-force search
      // on these samples puts it near 0.85 of the maximum), and it must beat minmax on that error.
      let entropy = CalibrationRangeSearch.range(observer, method: .entropy)
      #expect(entropy.max < 0.7 * minmax.max, "entropy: \(entropy.max) of \(minmax.max)")
      let mse = CalibrationRangeSearch.range(observer, method: .mse)
      #expect(mse.max < 0.97 * minmax.max, "mse: \(mse.max) of \(minmax.max)")
      #expect(
        Self.quantizationError(values, (mse.min, mse.max))
          < Self.quantizationError(values, (minmax.min, minmax.max)))
      for range in [entropy, mse] {
        #expect(range.min >= minmax.min && range.min <= 0)
        #expect(range.isClipped)
      }
    }
  }

  @Test("entropy and mse keep about the whole range of uniform data")
  func uniformIsNotClipped() {
    var samples = CalibrationSamples(seed: 14)
    for values in [samples.uniform(100_000, 0, 4), samples.uniform(100_000, -1, 3)] {
      let observer = Self.observer(values)
      let minmax = CalibrationRangeSearch.range(observer, method: .minmax)
      for method in [CalibrationMethod.entropy, .mse] {
        let range = CalibrationRangeSearch.range(observer, method: method)
        #expect(range.max >= 0.98 * minmax.max, "\(method): \(range.max) of \(minmax.max)")
        #expect(range.min <= 0.98 * minmax.min, "\(method): \(range.min) of \(minmax.min)")
      }
    }
  }

  @Test("entropy does not collapse data that sits away from zero onto its lowest values")
  func entropyKeepsDataAwayFromZero() {
    // A squeeze-excite gate's values lie in about [0.2, 0.84]; cutting at the first occupied bin puts
    // every value in one bin, where the divergence of the clipped data with its quantization is 0.
    var samples = CalibrationSamples(seed: 16)
    for values in [samples.uniform(50_000, 0.2, 0.84), samples.normal(50_000, mean: 6, deviation: 1)] {
      let observer = Self.observer(values)
      let minmax = CalibrationRangeSearch.range(observer, method: .minmax)
      let entropy = CalibrationRangeSearch.range(observer, method: .entropy)
      #expect(entropy.max >= 0.9 * minmax.max, "entropy: \(entropy.max) of \(minmax.max)")
    }
  }

  @Test("the mse range is about as good as a brute-force search on the samples")
  func mseMatchesBruteForce() {
    var samples = CalibrationSamples(seed: 15)
    let values = samples.laplace(20_000, scale: 0.7) + samples.normal(20_000, mean: 1, deviation: 0.5)
    let observer = Self.observer(values)
    let chosen = CalibrationRangeSearch.range(observer, method: .mse)
    let found = Self.quantizationError(values, (chosen.min, chosen.max))
    var best = Double.infinity
    for i in 1...40 {
      for j in 1...40 {
        let range = (observer.minimum * Float(i) / 40, observer.maximum * Float(j) / 40)
        best = min(best, Self.quantizationError(values, range))
      }
    }
    #expect(found <= best * 1.05, "mse range error \(found), brute force \(best)")
  }

  @Test("ranges always contain zero and stay inside the data")
  func rangesContainZero() {
    for values: [Float] in [[2, 3, 5], [-4, -1], [0, 0], [7], [-1e-30, 1e-30]] {
      for method in CalibrationMethod.allCases {
        let range = CalibrationRangeSearch.range(Self.observer(values, bins: 128), method: method)
        #expect(range.min <= 0 && range.max >= 0)
        #expect(range.min >= min(values.min() ?? 0, 0) && range.max <= max(values.max() ?? 0, 0))
      }
    }
    let empty = CalibrationRangeSearch.range(CalibrationObserver(name: "e", bins: 128), method: .entropy)
    #expect(empty == CalibrationRange(min: 0, max: 0, observedMin: 0, observedMax: 0))
  }
}
