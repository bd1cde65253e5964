/// A transpose reduced to merged axes: output axis sizes and the input stride of each.
struct TransposePlan: Equatable, Sendable {
  /// Output axis sizes after merging (outermost first).
  var sizes: [Int]
  /// The input stride of each merged output axis.
  var strides: [Int]
  /// The element count.
  var count: Int

  /// Plans the transpose of `shape` by `perm` (output axis `i` is input axis `perm[i]`).
  init(shape: [Int], perm: [Int]) {
    var inputStrides = [Int](repeating: 1, count: shape.count)
    for i in stride(from: shape.count - 2, through: 0, by: -1) {
      inputStrides[i] = inputStrides[i + 1] * shape[i + 1]
    }
    var sizes: [Int] = []
    var strides: [Int] = []
    for axis in perm where shape[axis] != 1 {
      if let lastStride = strides.last, let lastSize = sizes.last,
        lastStride == inputStrides[axis] * shape[axis]
      {
        sizes[sizes.count - 1] = lastSize * shape[axis]
        strides[strides.count - 1] = inputStrides[axis]
      } else {
        sizes.append(shape[axis])
        strides.append(inputStrides[axis])
      }
    }
    self.sizes = sizes.isEmpty ? [1] : sizes
    self.strides = strides.isEmpty ? [1] : strides
    count = shape.reduce(1, *)
  }
}

extension Kernels {
  /// Permutes axes as planned; the last merged axis is the inner loop.
  static func transpose(
    _ plan: TransposePlan, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
  ) {
    let inner = plan.sizes[plan.sizes.count - 1]
    let innerStride = plan.strides[plan.strides.count - 1]
    let rows = inner > 0 ? plan.count / inner : 0
    for row in 0..<rows {
      var r = row
      var offset = 0
      for axis in stride(from: plan.sizes.count - 2, through: 0, by: -1) {
        let size = plan.sizes[axis]
        offset += (r % size) * plan.strides[axis]
        r /= size
      }
      let source = input + offset
      let destination = output + row * inner
      if innerStride == 1 {
        copy(source, destination, inner)
      } else {
        for j in 0..<inner { destination[j] = source[j * innerStride] }
      }
    }
  }

  /// Concatenates inputs along an axis: `outer` blocks, each input contributing `chunks[i]` floats per block.
  static func concat(
    _ inputs: [UnsafePointer<Float>], chunks: [Int], outer: Int, output: UnsafeMutablePointer<Float>
  ) {
    let rowLength = chunks.reduce(0, +)
    for o in 0..<outer {
      var destination = output + o * rowLength
      for (source, chunk) in zip(inputs, chunks) {
        copy(source + o * chunk, destination, chunk)
        destination += chunk
      }
    }
  }
}
