/// Which elements of one weight tensor survive magnitude pruning: 1 for kept, 0 for pruned.
///
/// The mask is stored as floats so that applying it is one multiply per element, a loop the compiler
/// vectorizes; fine-tuning re-applies it after every optimizer step so pruned weights stay zero.
public struct MagnitudeMask: Sendable, Equatable {
  /// 1 where the weight is kept, 0 where it is pruned.
  public let keep: [Float]
  /// How many elements are pruned.
  public let prunedCount: Int
  /// The largest magnitude that was pruned (0 when nothing was).
  public let threshold: Float

  /// Creates a mask from its elements.
  public init(keep: [Float]) {
    self.keep = keep
    prunedCount = keep.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
    threshold = 0
  }

  init(keep: [Float], prunedCount: Int, threshold: Float) {
    self.keep = keep
    self.prunedCount = prunedCount
    self.threshold = threshold
  }

  /// The fraction of elements pruned.
  public var sparsity: Double { keep.isEmpty ? 0 : Double(prunedCount) / Double(keep.count) }

  /// The mask that prunes exactly `count` elements of `weights`: those of smallest magnitude, ties broken
  /// by position (earlier first), so the count is exact and the result deterministic.
  public static func pruning(_ count: Int, of weights: [Float]) -> MagnitudeMask {
    let order = ascendingMagnitudeOrder(weights)
    var keep = [Float](repeating: 1, count: weights.count)
    let pruned = min(max(count, 0), weights.count)
    var threshold: Float = 0
    for position in 0..<pruned {
      let index = order[position]
      keep[index] = 0
      threshold = max(threshold, abs(weights[index]))
    }
    return MagnitudeMask(keep: keep, prunedCount: pruned, threshold: threshold)
  }

  /// Indices of `weights` by ascending magnitude, ties by index.
  static func ascendingMagnitudeOrder(_ weights: [Float]) -> [Int] {
    let magnitudes = weights.map { abs($0) }
    return magnitudes.withUnsafeBufferPointer { m in
      Array(0..<weights.count).sorted { m[$0] != m[$1] ? m[$0] < m[$1] : $0 < $1 }
    }
  }

  /// Multiplies `weights` by the mask in place.
  public func apply(to weights: inout [Float]) {
    precondition(weights.count == keep.count, "mask of \(keep.count) elements on \(weights.count) weights")
    keep.withUnsafeBufferPointer { k in
      weights.withUnsafeMutableBufferPointer { w in
        guard let kp = k.baseAddress, let wp = w.baseAddress else { return }
        for i in 0..<w.count { wp[i] *= kp[i] }
      }
    }
  }
}
