/// The seeded permutation behind `shuffle=true`.
///
/// A Fisher–Yates shuffle driven by SplitMix64, written out here rather than taken from the standard
/// library so that the same seed gives the same order on every platform and Swift version.
enum DatasetShuffle {
  /// A permutation of `0..<count` determined by `seed`.
  static func permutation(count: Int, seed: UInt64) -> [Int] {
    var order = Array(0..<count)
    var generator = SplitMix64(state: seed)
    var i = count - 1
    while i > 0 {
      let j = Int(generator.next() % UInt64(i + 1))
      order.swapAt(i, j)
      i -= 1
    }
    return order
  }

  /// SplitMix64 (Steele, Lea and Flood, 2014): a small, fast generator with a 64-bit state.
  struct SplitMix64 {
    /// The generator's state, advanced by a fixed odd constant each step.
    var state: UInt64

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }
}
