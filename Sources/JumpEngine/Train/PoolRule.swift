/// Forward and backward of MaxPool and AveragePool over 1-D and 2-D windows.
enum PoolRule {
  /// The window geometry of a pooling node.
  static func geometry(
    _ node: Node, _ a: PoolAttributes, _ x: [Int], _ y: [Int]
  ) throws(EngineError) -> ConvGeometry {
    guard
      let g = ConvGeometry(
        input: x, outChannels: x[1], output: y, kernel: a.kernel, strides: a.strides, pads: a.pads,
        dilations: a.dilations, group: 1)
    else {
      throw EngineError(
        .unsupportedOp, "node '\(node.name)' (\(node.op.onnxName)): only 1-D and 2-D pooling is supported")
    }
    return g
  }

  /// Max pooling through the float executor's kernel.
  static func forwardMax(
    _ node: Node, _ a: PoolAttributes, _ x: TrainValue, _ outputShape: [Int], threads: Int
  ) throws(EngineError) -> TrainValue {
    let g = try geometry(node, a, x.shape, outputShape)
    var y = TrainValue.zeros(outputShape)
    x.values.withPointer { source in
      y.values.withMutablePointer { Kernels.maxPool2d(g, input: source, output: $0, threads: threads) }
    }
    return y
  }

  /// Average pooling through the float executor's kernel.
  static func forwardAverage(
    _ node: Node, _ a: PoolAttributes, _ x: TrainValue, _ outputShape: [Int], threads: Int
  ) throws(EngineError) -> TrainValue {
    let g = try geometry(node, a, x.shape, outputShape)
    var y = TrainValue.zeros(outputShape)
    x.values.withPointer { source in
      y.values.withMutablePointer {
        Kernels.averagePool2d(
          g, countIncludePad: a.countIncludePad, input: source, output: $0, threads: threads)
      }
    }
    return y
  }

  /// Each output's gradient goes to the input cell that won its window: the first maximum in window
  /// order, as the forward kernel keeps it.
  static func backwardMax(
    _ node: Node, _ a: PoolAttributes, _ context: BackwardContext
  ) throws(EngineError) -> TrainValue? {
    guard context.needs(0) else { return nil }
    let x = context.inputs[0]
    let g = try geometry(node, a, x.shape, context.output.shape)
    var dx = TrainValue.zeros(x.shape)
    if windowsInside(g) {
      x.values.withPointer { source in
        context.outputGradient.values.withPointer { dy in
          dx.values.withMutablePointer { d in backwardMaxInside(g, source, dy, d) }
        }
      }
      return dx
    }
    x.values.withPointer { source in
      context.outputGradient.values.withPointer { dy in
        dx.values.withMutablePointer { d in
          for p in 0..<(g.batch * g.inChannels) {
            let plane = source + p * g.inPlane
            let target = d + p * g.inPlane
            for oy in 0..<g.outHeight {
              for ox in 0..<g.outWidth {
                var best = -Float.infinity
                var winner = -1
                for ky in 0..<g.kernelHeight {
                  let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                  if iy < 0 || iy >= g.inHeight { continue }
                  for kx in 0..<g.kernelWidth {
                    let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                    if ix < 0 || ix >= g.inWidth { continue }
                    let v = plane[iy * g.inWidth + ix]
                    if v > best || winner < 0 {
                      best = v
                      winner = iy * g.inWidth + ix
                    }
                  }
                }
                if winner >= 0 { target[winner] += dy[(p * g.outHeight + oy) * g.outWidth + ox] }
              }
            }
          }
        }
      }
    }
    return dx
  }

  /// Whether every window lies wholly inside the input (no padding, none reaching past the end), so the
  /// window loops need no bounds checks.
  static func windowsInside(_ g: ConvGeometry) -> Bool {
    g.padTop == 0 && g.padLeft == 0 && g.outHeight > 0 && g.outWidth > 0
      && (g.outHeight - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight < g.inHeight
      && (g.outWidth - 1) * g.strideWidth + (g.kernelWidth - 1) * g.dilationWidth < g.inWidth
  }

  /// `backwardMax` when `windowsInside`: the same winners (the first maximum in window order: the first
  /// cell starts, later ones win only when strictly greater) and the same additions in the same order.
  static func backwardMaxInside(
    _ g: ConvGeometry, _ source: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
    _ d: UnsafeMutablePointer<Float>
  ) {
    let (kh, kw) = (g.kernelHeight, g.kernelWidth)
    let (rowStep, columnStep) = (g.dilationHeight &* g.inWidth, g.dilationWidth)
    for p in 0..<(g.batch &* g.inChannels) {
      let plane = source + p &* g.inPlane
      let target = d + p &* g.inPlane
      let gradient = dy + p &* g.outPlane
      for oy in 0..<g.outHeight {
        let top = oy &* g.strideHeight &* g.inWidth
        for ox in 0..<g.outWidth {
          let corner = top &+ ox &* g.strideWidth
          var winner = corner
          var best = plane[corner]
          for ky in 0..<kh {
            let rowStart = corner &+ ky &* rowStep
            for kx in 0..<kw {
              let i = rowStart &+ kx &* columnStep
              let v = plane[i]
              if v > best {
                best = v
                winner = i
              }
            }
          }
          target[winner] += gradient[oy &* g.outWidth &+ ox]
        }
      }
    }
  }

  /// Each output's gradient spread evenly over the cells its average counted.
  static func backwardAverage(
    _ node: Node, _ a: PoolAttributes, _ context: BackwardContext
  ) throws(EngineError) -> TrainValue? {
    guard context.needs(0) else { return nil }
    let x = context.inputs[0]
    let g = try geometry(node, a, x.shape, context.output.shape)
    let divisors = reciprocalCounts(g, countIncludePad: a.countIncludePad)
    var dx = TrainValue.zeros(x.shape)
    context.outputGradient.values.withPointer { dy in
      dx.values.withMutablePointer { d in
        for p in 0..<(g.batch * g.inChannels) {
          let target = d + p * g.inPlane
          for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
              let o = oy * g.outWidth + ox
              let share = dy[p * g.outPlane + o] * divisors[o]
              for ky in 0..<g.kernelHeight {
                let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                if iy < 0 || iy >= g.inHeight { continue }
                for kx in 0..<g.kernelWidth {
                  let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                  if ix >= 0 && ix < g.inWidth { target[iy * g.inWidth + ix] += share }
                }
              }
            }
          }
        }
      }
    }
    return dx
  }

  /// `1 / count` for every output cell, counting cells as the forward kernel does (padded cells only with
  /// `countIncludePad`, and never cells past the end padding).
  static func reciprocalCounts(_ g: ConvGeometry, countIncludePad: Bool) -> [Float] {
    let (lowY, highY) = countIncludePad ? (-g.padTop, g.inHeight + g.padBottom) : (0, g.inHeight)
    let (lowX, highX) = countIncludePad ? (-g.padLeft, g.inWidth + g.padRight) : (0, g.inWidth)
    var result = [Float](repeating: 0, count: g.outPlane)
    for oy in 0..<g.outHeight {
      let rows = (0..<g.kernelHeight).filter { ky in
        let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
        return iy >= lowY && iy < highY
      }.count
      for ox in 0..<g.outWidth {
        let columns = (0..<g.kernelWidth).filter { kx in
          let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
          return ix >= lowX && ix < highX
        }.count
        let count = rows * columns
        result[oy * g.outWidth + ox] = count > 0 ? 1 / Float(count) : 0
      }
    }
    return result
  }
}
