/// Forward and backward of the reductions: GlobalAveragePool, ReduceMean and Softmax.
enum ReduceRule {
  /// The mean of every `N x C` plane.
  static func forwardGlobalAverage(_ x: TrainValue, _ outputShape: [Int]) -> TrainValue {
    var y = TrainValue.zeros(outputShape)
    let rows = x.shape.prefix(2).reduce(1, *)
    x.values.withPointer { source in
      y.values.withMutablePointer {
        Kernels.rowMeans(source, rows: rows, length: x.count / max(rows, 1), output: $0, threads: 1)
      }
    }
    return y
  }

  /// Every cell of a plane gets the plane's output gradient divided by the plane size.
  static func backwardGlobalAverage(_ context: BackwardContext) -> TrainValue? {
    guard context.needs(0) else { return nil }
    let x = context.inputs[0]
    let rows = x.shape.prefix(2).reduce(1, *)
    let plane = x.count / max(rows, 1)
    var dx = TrainValue.zeros(x.shape)
    let scale = 1 / Float(max(plane, 1))
    context.outputGradient.values.withPointer { g in
      dx.values.withMutablePointer { d in
        for r in 0..<rows { Kernels.fill(d + r * plane, g[r] * scale, plane) }
      }
    }
    return dx
  }

  /// Which axes of a rank-`rank` tensor ReduceMean reduces.
  static func reducedAxes(_ axes: [Int]?, rank: Int) -> [Bool] {
    var reduced = [Bool](repeating: axes == nil, count: rank)
    for axis in axes ?? [] { reduced[axis < 0 ? axis + rank : axis] = true }
    return reduced
  }

  /// The mean over `axes` (kept or dropped as the output shape says: the element order is the same).
  static func forwardMean(_ x: TrainValue, axes: [Int]?, _ outputShape: [Int]) -> TrainValue {
    var y = TrainValue.zeros(outputShape)
    let reduced = reducedAxes(axes, rank: x.shape.count)
    x.values.withPointer { source in
      y.values.withMutablePointer {
        Kernels.reduceMean(source, shape: x.shape, reducedAxes: reduced, output: $0)
      }
    }
    return y
  }

  /// Every input element gets its output cell's gradient divided by the number of elements averaged.
  static func backwardMean(_ context: BackwardContext, axes: [Int]?) -> TrainValue? {
    guard context.needs(0) else { return nil }
    let shape = context.inputs[0].shape
    let walk = ReductionWalk(shape: shape, reducedAxes: reducedAxes(axes, rank: shape.count))
    let scale = 1 / Float(max(walk.reducedCount, 1))
    var dx = TrainValue.zeros(shape)
    context.outputGradient.values.withPointer { g in
      dx.values.withMutablePointer { d in
        walk.forEach { i, o in d[i] = g[o] * scale }
      }
    }
    return dx
  }

  /// `(outer, axis, inner)` of a softmax over `axis`.
  static func softmaxView(_ shape: [Int], axis: Int) -> (Int, Int, Int) {
    let a = axis < 0 ? axis + shape.count : axis
    return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
  }

  /// Softmax along `axis` through the float executor's kernel.
  static func forwardSoftmax(_ x: TrainValue, axis: Int, threads: Int) -> TrainValue {
    let (outer, length, inner) = softmaxView(x.shape, axis: axis)
    var y = TrainValue.zeros(x.shape)
    x.values.withPointer { source in
      y.values.withMutablePointer {
        Kernels.softmax(source, outer: outer, axis: length, inner: inner, output: $0, threads: threads)
      }
    }
    return y
  }

  /// `dx = y * (dy - sum(dy * y))` along the axis.
  static func backwardSoftmax(_ context: BackwardContext, axis: Int) -> TrainValue? {
    guard context.needs(0) else { return nil }
    let (outer, length, inner) = softmaxView(context.output.shape, axis: axis)
    var dx = context.outputGradient
    context.output.values.withPointer { y in
      dx.values.withMutablePointer { g in
        for o in 0..<outer {
          for i in 0..<inner {
            let base = o * length * inner + i
            var dot: Double = 0
            for a in 0..<length { dot += Double(g[base + a * inner]) * Double(y[base + a * inner]) }
            let d = Float(dot)
            for a in 0..<length {
              let j = base + a * inner
              g[j] = y[j] * (g[j] - d)
            }
          }
        }
      }
    }
    return dx
  }
}
