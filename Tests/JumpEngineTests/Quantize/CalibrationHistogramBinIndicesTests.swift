import Testing

@testable import JumpEngine

/// The histogram's bin indices are exact: the fast eight-lane path, the plain path and a straightforward
/// reference loop agree bit for bit, whatever the batching.
@Suite("Calibration histogram bin indices")
struct CalibrationHistogramBinIndicesTests {
  /// The histogram a straightforward loop gives on the final grid of `histogram`: bin
  /// `floor(x / 2^exponent)` in `Double`, one value at a time.
  static func referenceCounts(_ values: [Float], like histogram: CalibrationHistogram) -> [Int] {
    var counts = [Int](repeating: 0, count: histogram.capacity)
    let width = histogram.binWidth
    for x in values where x.isFinite {
      counts[Int((Double(x) / width).rounded(.down)) - histogram.offset] += 1
    }
    return counts
  }

  /// Values that stress the index computation: signed normals at several scales, exact zeros of both
  /// signs, subnormals, values at powers of two and bin edges, and NaN and infinities.
  static func awkwardValues(seed: UInt64, count: Int) -> [Float] {
    var samples = CalibrationSamples(seed: seed)
    var values: [Float] = []
    for _ in 0..<count {
      let pick = samples.next() % 10
      let unit = samples.unit()
      switch pick {
      case 0, 1: values.append(0)
      case 2: values.append(-0.0)
      case 3: values.append(Float(unit - 0.5) * .leastNormalMagnitude * 4)
      case 4: values.append(Float(unit - 0.5) * 1e-30)
      case 5:
        values.append(Float(sign: unit < 0.5 ? .minus : .plus, exponent: Int(unit * 10) - 5, significand: 1))
      case 6: values.append(-Float.leastNonzeroMagnitude)
      default: values.append(Float((unit - 0.4) * 6))
      }
    }
    return values
  }

  /// A histogram of `values` added through the observer (which finds each batch's extent), in batches
  /// of the given sizes (cycled).
  static func observed(_ values: [Float], bins: Int, batches: [Int]) -> CalibrationHistogram {
    var observer = CalibrationObserver(name: "x", bins: bins)
    var start = 0
    var index = 0
    while start < values.count {
      let end = min(values.count, start + batches[index % batches.count])
      observer.observe(Array(values[start..<end]))
      start = end
      index += 1
    }
    return observer.histogram ?? CalibrationHistogram(bins: bins)
  }

  @Test("counts equal a reference loop and do not depend on batching", arguments: [1, 2, 3, 4])
  func matchesReferenceLoop(seed: UInt64) {
    var values = Self.awkwardValues(seed: seed, count: 5000)
    values += [.nan, .infinity, -.infinity, 0, -0.0]
    var samples = CalibrationSamples(seed: seed + 100)
    values += samples.normal(3000, mean: -1, deviation: 2)
    let whole = Self.observed(values, bins: 2048, batches: [values.count])
    #expect(whole.counts == Self.referenceCounts(values, like: whole))
    #expect(whole.total == values.filter(\.isFinite).count)
    #expect(whole.zeroCount == values.filter { $0 == 0 }.count)
    for batches in [[1], [7], [8, 9], [513, 1], [1000, 3]] {
      #expect(Self.observed(values, bins: 2048, batches: batches) == whole, "batches \(batches)")
    }
    let reversed = Self.observed(values.reversed(), bins: 2048, batches: [511])
    #expect(reversed == whole)
  }

  @Test("tiny ranges: negative values whose scaled value underflows still land in bin −1")
  func tinyRanges() {
    for scale in [Float(1e-38), 1e-20, 1, 1e20, 1e38] {
      let values = Self.awkwardValues(seed: 7, count: 2000).map { $0 * scale }.filter(\.isFinite)
      for bins in [128, 2048] {
        let histogram = Self.observed(values, bins: bins, batches: [333])
        #expect(histogram.counts == Self.referenceCounts(values, like: histogram), "scale \(scale)")
        #expect(histogram.counts.reduce(0, +) == values.count)
      }
    }
    // Against 1e30 and 128 bins, bins are 2^93 wide: these negatives scale to −0 or a subnormal in Float.
    let underflowing: [Float] = [1e30, -.leastNonzeroMagnitude, -1e-40, -1e-30, 0, -0.0, 3, -2]
    let histogram = Self.observed(underflowing + underflowing.reversed(), bins: 128, batches: [16])
    #expect(histogram.counts == Self.referenceCounts(underflowing + underflowing, like: histogram))
    #expect(histogram.count(globalIndex: -1) == 8)
  }

  @Test("the fast path gives the plain path's index for every lane, over many grids")
  func fastPathEqualsPlainPath() {
    var samples = CalibrationSamples(seed: 11)
    let values = Self.awkwardValues(seed: 12, count: 4096) + samples.uniform(4096, -3000, 3000)
    var checked = 0
    for exponent in Swift.stride(from: -140, through: 20, by: 3) {
      let width = CalibrationHistogram.power(exponent)
      // Only values whose indices stay below 2^20 in magnitude, so the fast path applies.
      let limit = Float(width * Double(1 << 20))
      let kept = values.filter { $0.isFinite && abs($0) < limit }
      guard let low = kept.min(), let high = kept.max() else { continue }
      let offset = CalibrationHistogram.floorIndex(low, exponent: exponent)
      let capacity = CalibrationHistogram.floorIndex(high, exponent: exponent) - offset + 1
      let indexer = CalibrationHistogram.BinIndexer(
        lower: low, upper: high, exponent: exponent, offset: offset, capacity: capacity)
      let input = kept + [.nan, .infinity, -.infinity, high.nextUp]
      var fast = [Int32](repeating: -7, count: input.count)
      let zeros = input.withUnsafeBufferPointer { block in
        fast.withUnsafeMutableBufferPointer { indexer.indices(block, into: $0.baseAddress!) }
      }
      #expect(zeros == kept.filter { $0 == 0 }.count)
      #expect(fast == input.map { indexer.index($0) }, "exponent \(exponent)")
      if indexer.fastScale != nil { checked += 1 }
    }
    #expect(checked > 30)
  }
}
