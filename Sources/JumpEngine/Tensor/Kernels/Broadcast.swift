/// A broadcasting binary elementwise operation reduced to its simplest loop nest.
///
/// The two input shapes are aligned NumPy-style, broadcast axes get stride 0, and adjacent axes that are
/// contiguous in both inputs (or broadcast in both) are merged. What remains is a few outer axes and one
/// inner axis on which each input is either contiguous (stride 1) or a repeated scalar (stride 0), so the
/// inner loop is always one of three vectorizable forms. Same-shape, scalar and per-channel (`[1, C, 1, 1]`
/// or `[N, C, 1, 1]` against `N x C x H x W`) operands all end up with a single outer axis or none.
struct BroadcastPlan: Equatable, Sendable {
  /// The merged outer axis sizes (outermost first), excluding the inner axis.
  var outer: [Int]
  /// Strides of `a` over the outer axes.
  var outerStridesA: [Int]
  /// Strides of `b` over the outer axes.
  var outerStridesB: [Int]
  /// The inner axis length.
  var inner: Int
  /// The stride of `a` along the inner axis (0 or 1).
  var innerStrideA: Int
  /// The stride of `b` along the inner axis (0 or 1).
  var innerStrideB: Int
  /// The output element count.
  var count: Int

  /// Plans `a op b` for the given shapes; nil when they do not broadcast.
  init?(_ a: [Int], _ b: [Int]) {
    let rank = max(a.count, b.count)
    let pa = Array(repeating: 1, count: rank - a.count) + a
    let pb = Array(repeating: 1, count: rank - b.count) + b
    var dims: [(size: Int, sa: Int, sb: Int)] = []
    var strideA = 1
    var strideB = 1
    var sizes = [Int](repeating: 0, count: rank)
    var stridesA = [Int](repeating: 0, count: rank)
    var stridesB = [Int](repeating: 0, count: rank)
    for i in stride(from: rank - 1, through: 0, by: -1) {
      guard pa[i] == pb[i] || pa[i] == 1 || pb[i] == 1 else { return nil }
      sizes[i] = max(pa[i], pb[i])
      stridesA[i] = pa[i] == 1 ? 0 : strideA
      stridesB[i] = pb[i] == 1 ? 0 : strideB
      strideA *= pa[i]
      strideB *= pb[i]
    }
    count = sizes.reduce(1, *)
    for i in 0..<rank where sizes[i] != 1 {
      if let last = dims.last, last.sa == stridesA[i] * sizes[i], last.sb == stridesB[i] * sizes[i] {
        dims[dims.count - 1] = (last.size * sizes[i], stridesA[i], stridesB[i])
      } else {
        dims.append((sizes[i], stridesA[i], stridesB[i]))
      }
    }
    let innerDim = dims.popLast() ?? (1, 1, 1)
    inner = innerDim.size
    innerStrideA = innerDim.sa == 0 ? 0 : 1
    innerStrideB = innerDim.sb == 0 ? 0 : 1
    outer = dims.map(\.size)
    outerStridesA = dims.map(\.sa)
    outerStridesB = dims.map(\.sb)
  }

  /// The number of inner rows (the product of the outer sizes).
  var rows: Int { outer.reduce(1, *) }

  /// The offsets of `a` and `b` for outer row `row`.
  @inline(__always)
  func offsets(ofRow row: Int) -> (Int, Int) {
    var r = row
    var offsetA = 0
    var offsetB = 0
    for axis in stride(from: outer.count - 1, through: 0, by: -1) {
      let size = outer[axis]
      let index = r % size
      r /= size
      offsetA += index * outerStridesA[axis]
      offsetB += index * outerStridesB[axis]
    }
    return (offsetA, offsetB)
  }
}

/// The arithmetic of a broadcasting binary op.
enum BinaryOperator: Sendable {
  /// `a + b`.
  case add
  /// `a - b`.
  case sub
  /// `a * b`.
  case mul
  /// `a / b`.
  case div

  /// The operator of a binary elementwise op, or nil for other ops.
  init?(_ op: Op) {
    switch op {
    case .add: self = .add
    case .sub: self = .sub
    case .mul: self = .mul
    case .div: self = .div
    default: return nil
    }
  }
}
