import Foundation

extension Kernels {
  /// The sum of `count` contiguous floats with eight interleaved partial sums (a fixed order, so the result is
  /// the same on every run).
  @inline(__always)
  static func sum(_ values: UnsafePointer<Float>, _ count: Int) -> Float {
    var accumulator = SIMD8<Float>()
    var i = 0
    let raw = UnsafeRawPointer(values)
    while i + 8 <= count {
      accumulator += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
      i += 8
    }
    var total = accumulator.sum()
    while i < count {
      total += values[i]
      i += 1
    }
    return total
  }

  /// The mean of each of `rows` contiguous rows of `length` floats (GlobalAveragePool is `N*C` rows of `H*W`).
  static func rowMeans(
    _ input: UnsafePointer<Float>, rows: Int, length: Int, output: UnsafeMutablePointer<Float>, threads: Int
  ) {
    let scale = length > 0 ? 1 / Float(length) : 0
    parallelRanges(rows, threads: rows * length >= 1 << 16 ? threads : 1) { range in
      for r in range { output[r] = sum(input + r * length, length) * scale }
    }
  }

  /// Mean over the middle axis of an `outer x reduced x inner` view, giving `outer x inner`.
  ///
  /// Any ReduceMean whose reduced axes are adjacent has this form; `inner == 1` reduces contiguous rows.
  static func meanMiddle(
    _ input: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int, output: UnsafeMutablePointer<Float>
  ) {
    if inner == 1 {
      rowMeans(input, rows: outer, length: reduced, output: output, threads: 1)
      return
    }
    let scale = reduced > 0 ? 1 / Float(reduced) : 0
    for o in 0..<outer {
      let destination = output + o * inner
      fill(destination, 0, inner)
      for r in 0..<reduced {
        let source = input + (o * reduced + r) * inner
        for i in 0..<inner { destination[i] += source[i] }
      }
      for i in 0..<inner { destination[i] *= scale }
    }
  }

  /// Softmax along the middle axis of an `outer x axis x inner` view (max-subtracted, so it never overflows).
  static func softmax(
    _ input: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int, output: UnsafeMutablePointer<Float>,
    threads: Int
  ) {
    parallelRanges(outer, threads: outer * axis * inner >= 1 << 15 ? threads : 1) { range in
      for o in range {
        let source = input + o * axis * inner
        let destination = output + o * axis * inner
        for i in 0..<inner {
          var maximum = -Float.infinity
          for a in 0..<axis { maximum = max(maximum, source[a * inner + i]) }
          var total: Float = 0
          for a in 0..<axis {
            let e = (source[a * inner + i] - maximum).exponential
            destination[a * inner + i] = e
            total += e
          }
          let scale = 1 / total
          for a in 0..<axis { destination[a * inner + i] *= scale }
        }
      }
    }
  }

  /// Inference batch normalization as `y = x * scale[c] + shift[c]` over `N x C x plane`.
  static func channelAffine(
    _ input: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int, scale: UnsafePointer<Float>,
    shift: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, threads: Int
  ) {
    let rows = batch * channels
    parallelRanges(rows, threads: rows * plane >= 1 << 16 ? threads : 1) { range in
      for r in range {
        let c = r % channels
        let s = scale[c]
        let t = shift[c]
        let source = input + r * plane
        let destination = output + r * plane
        for j in 0..<plane { destination[j] = source[j] * s + t }
      }
    }
  }
}

extension Float {
  /// `e` raised to this value.
  @inline(__always)
  var exponential: Float { expf(self) }
}

extension Kernels {
  /// Mean over any set of axes (`reducedAxes[i]` true for a reduced axis) of a tensor of `shape`, written in
  /// the order of the kept axes. The general path for axes that are not adjacent.
  static func reduceMean(
    _ input: UnsafePointer<Float>, shape: [Int], reducedAxes: [Bool], output: UnsafeMutablePointer<Float>
  ) {
    let walk = ReductionWalk(shape: shape, reducedAxes: reducedAxes)
    fill(output, 0, walk.kept)
    walk.forEach { i, o in output[o] += input[i] }
    let scale = walk.reducedCount > 0 ? 1 / Float(walk.reducedCount) : 0
    for i in 0..<walk.kept { output[i] *= scale }
  }
}
