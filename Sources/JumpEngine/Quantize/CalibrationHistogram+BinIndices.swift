extension CalibrationHistogram {
  /// How bin indices are computed for a block of values, fixed once per `add` call.
  ///
  /// A value `x` in `[lower, upper]` goes to the local bin `floor(x / 2^exponent) − offset`; any other
  /// value (NaN, an infinity, or a finite value the caller left out) goes to the spare slot `capacity`.
  /// The fast path computes eight indices at once in `Float`, which is exact here:
  ///
  /// - `v = x · 2^−exponent` is exact whenever `2^−exponent` is a normal `Float` and `v` is not
  ///   subnormal (a power-of-two scale only moves the exponent); a subnormal `v` (`|v| < 2^−126`) may be
  ///   rounded, even to −0 for a negative `x`, but only the integer nearest to it is used below, and
  ///   that is 0 either way.
  /// - Adding `1.5·2^23` rounds `v` to the nearest integer `r` (exact for `|v| < 2^22`: the sum lies in
  ///   `[2^23, 2^24)`, where floats are the integers), and the sum's bits minus those of `1.5·2^23`
  ///   are `r`. The floor is `r − 1` when `r · 2^exponent > x`, else `r`: comparing with `x` itself
  ///   (`r · 2^exponent` is exact) keeps tiny negative values out of bin 0.
  ///
  /// No conversion traps: values outside `[lower, upper]` compute some index, which is then replaced.
  ///
  /// When the scale is not a normal `Float` or the indices can reach `2^21`, every value takes the plain
  /// `Double` path (`floorIndex`), which is exact for all finite floats.
  struct BinIndexer {
    let lower: Float
    let upper: Float
    let exponent: Int
    let offset: Int
    let capacity: Int
    /// `2^−exponent`, when the fast path is exact for every value in `[lower, upper]`.
    let fastScale: Float?

    /// `1.5·2^23`: adding it rounds a float of magnitude below `2^22` to an integer.
    static let rounder: Float = 12_582_912

    init(lower: Float, upper: Float, exponent: Int, offset: Int, capacity: Int) {
      self.lower = lower
      self.upper = upper
      self.exponent = exponent
      self.offset = offset
      self.capacity = capacity
      let magnitude = Double(Swift.max(abs(lower), abs(upper)))
      let fits = -exponent >= -126 && -exponent <= 127 && magnitude * power(-exponent) < Double(1 << 21)
      fastScale = fits ? Float(sign: .plus, exponent: -exponent, significand: 1) : nil
    }

    /// The local index of one value (the plain path).
    func index(_ x: Float) -> Int32 {
      guard x >= lower && x <= upper else { return Int32(capacity) }
      return Int32(floorIndex(x, exponent: exponent) - offset)
    }

    /// Writes the local index of every value of `block` to `indices` and returns how many values are
    /// exactly zero (and within `[lower, upper]`).
    func indices(_ block: UnsafeBufferPointer<Float>, into indices: UnsafeMutablePointer<Int32>) -> Int {
      guard let input = block.baseAddress else { return 0 }
      let n = block.count
      var zeros = 0
      var i = 0
      if let scale = fastScale {
        let low = SIMD8<Float>(repeating: lower)
        let high = SIMD8<Float>(repeating: upper)
        let factor = SIMD8<Float>(repeating: scale)
        let width = SIMD8<Float>(repeating: 1 / scale)
        let rounder = SIMD8<Float>(repeating: Self.rounder)
        let zero = SIMD8<Float>(repeating: 0)
        let bias = SIMD8<Int32>(repeating: Int32(bitPattern: Self.rounder.bitPattern) &+ Int32(offset))
        let spare = SIMD8<Int32>(repeating: Int32(capacity))
        let zeroInside = lower <= 0 && 0 <= upper
        var zeroLanes = SIMD8<Int32>(repeating: 0)
        let source = UnsafeRawPointer(input)
        let target = UnsafeMutableRawPointer(indices)
        while i + 8 <= n {
          let x = source.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
          let shifted = x * factor + rounder
          let nearest = shifted - rounder
          // `nearest · w > x` is `nearest > x / w` without the rounding of a subnormal `x / w`.
          let above = unsafeBitCast(nearest * width .> x, to: SIMD8<Int32>.self)
          let floor = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &+ above &- bias
          let local = floor.replacing(with: spare, where: .!((x .>= low) .& (x .<= high)))
          target.storeBytes(of: local, toByteOffset: i &* 4, as: SIMD8<Int32>.self)
          zeroLanes &+= unsafeBitCast(x .== zero, to: SIMD8<Int32>.self)
          i &+= 8
        }
        zeros = zeroInside ? Int(-zeroLanes.wrappedSum()) : 0
      }
      while i < n {
        let x = input[i]
        indices[i] = index(x)
        zeros &+= x == 0 && x >= lower && x <= upper ? 1 : 0
        i &+= 1
      }
      return zeros
    }
  }
}
