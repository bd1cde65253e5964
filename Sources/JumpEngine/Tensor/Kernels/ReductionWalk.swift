/// How the elements of a tensor map onto the cells of a reduction over some of its axes.
///
/// The forward mean adds each input element into its output cell, and its gradient reads each cell
/// back into every element: both walk the input in storage order with the output index alongside.
struct ReductionWalk {
  /// The input's shape.
  let shape: [Int]
  /// Per axis, how far the output index moves when that axis advances (0 for a reduced axis).
  let outputStrides: [Int]
  /// The number of output cells.
  let kept: Int
  /// The number of input elements that fall into each output cell.
  let reducedCount: Int

  /// The walk of `shape` reduced over the axes where `reducedAxes` is true.
  init(shape: [Int], reducedAxes: [Bool]) {
    var strides = [Int](repeating: 0, count: shape.count)
    var kept = 1
    var reducedCount = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      if reducedAxes[axis] {
        reducedCount *= shape[axis]
      } else {
        strides[axis] = kept
        kept *= shape[axis]
      }
    }
    self.shape = shape
    outputStrides = strides
    self.kept = kept
    self.reducedCount = reducedCount
  }

  /// Calls `body(inputIndex, outputIndex)` for every input element, in storage order.
  @inline(__always)
  func forEach(_ body: (Int, Int) -> Void) {
    let rank = shape.count
    let total = shape.reduce(1, *)
    var index = [Int](repeating: 0, count: rank)
    var o = 0
    for i in 0..<total {
      body(i, o)
      var axis = rank - 1
      while axis >= 0 {
        index[axis] += 1
        o += outputStrides[axis]
        if index[axis] < shape[axis] { break }
        o -= outputStrides[axis] * shape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }
}
