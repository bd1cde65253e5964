/// The one layout change between the device graph and the file: logical NCHW (and OIHW filters) to
/// TFLite's channel-last NHWC (OHWI, 1HWO), done on shapes, axes and constant data at export.
///
/// Tensors of rank 3 or more keep their batch first and move the channel axis (1) last; rank 1 and 2 are
/// already in TFLite's order. Element permutations are given as `source[i]`: the row-major index, in the
/// original layout, of the element that lands at row-major index `i`.
enum TFLiteLayout {
  /// True when a tensor of this rank is stored channel-last.
  static func movesChannels(rank: Int) -> Bool { rank >= 3 }

  /// The TFLite shape of a logical NCHW shape: `[N, C, H, W]` → `[N, H, W, C]`.
  static func channelLast(_ shape: [Int]) -> [Int] {
    guard movesChannels(rank: shape.count) else { return shape }
    return [shape[0]] + shape[2...] + [shape[1]]
  }

  /// The TFLite axis of a logical axis of a tensor of rank `rank`.
  static func channelLastAxis(_ axis: Int, rank: Int) -> Int {
    guard movesChannels(rank: rank), axis > 0 else { return axis }
    return axis == 1 ? rank - 1 : axis - 1
  }

  /// The axis order (`order[k]` = logical axis stored k-th) of the channel-last layout.
  static func channelLastOrder(rank: Int) -> [Int] {
    guard movesChannels(rank: rank) else { return Array(0..<rank) }
    return [0] + Array(2..<rank) + [1]
  }

  /// `source[i]` for storing a row-major tensor of `shape` with its axes in `order`.
  static func permutation(shape: [Int], order: [Int]) -> [Int] {
    let count = shape.reduce(1, *)
    var strides = [Int](repeating: 1, count: shape.count)
    for axis in stride(from: shape.count - 2, through: 0, by: -1) {
      strides[axis] = strides[axis + 1] * shape[axis + 1]
    }
    let newShape = order.map { shape[$0] }
    let newStrides = order.map { strides[$0] }
    var source = [Int](repeating: 0, count: count)
    var index = [Int](repeating: 0, count: shape.count)
    var from = 0
    for i in 0..<count {
      source[i] = from
      // Advance the multi-index in the new order, tracking the old row-major position.
      var axis = shape.count - 1
      while axis >= 0 {
        index[axis] += 1
        from += newStrides[axis]
        if index[axis] < newShape[axis] { break }
        from -= newStrides[axis] * newShape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    return source
  }

  /// `source[i]` for the channel-last layout of a logical tensor of `shape`.
  static func channelLastPermutation(_ shape: [Int]) -> [Int] {
    permutation(shape: shape, order: channelLastOrder(rank: shape.count))
  }

  /// True when `source` leaves every element in place.
  static func isIdentity(_ source: [Int]) -> Bool {
    source.enumerated().allSatisfy { $0.offset == $0.element }
  }
}
