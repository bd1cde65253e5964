/// Forward and backward of Conv (any groups, strides, pads and dilations; 1-D and 2-D).
///
/// The backward pass of a dense or grouped convolution is two GEMMs per sample and group on the same im2col
/// matrix the forward pass multiplies: `dW += dY * cols^T` and `dCols = W^T * dY`, which col2im adds back
/// into the input gradient. Depthwise convolutions (one input channel per group) run a direct loop instead,
/// where GEMMs would be a few rows wide.
enum ConvolutionRule {
  /// The geometry of a Conv node on concrete shapes.
  static func geometry(
    _ node: Node, _ a: ConvAttributes, _ x: [Int], _ w: [Int], _ y: [Int]
  ) throws(EngineError) -> ConvGeometry {
    guard
      let g = ConvGeometry(
        input: x, outChannels: w[0], output: y, kernel: a.kernel, strides: a.strides, pads: a.pads,
        dilations: a.dilations, group: a.group)
    else {
      throw EngineError(
        .unsupportedOp, "node '\(node.name)' (Conv): only 1-D and 2-D convolutions are supported")
    }
    return g
  }

  /// The convolution through the float executor's kernels (im2col + SGEMM, or the depthwise kernel).
  static func forward(
    _ node: Node, _ a: ConvAttributes, _ inputs: [TrainValue], _ outputShape: [Int], threads: Int
  ) throws(EngineError) -> TrainValue {
    let (x, w) = (inputs[0], inputs[1])
    let g = try geometry(node, a, x.shape, w.shape, outputShape)
    let bias = inputs.count > 2 ? inputs[2].values : nil
    let depthwise = StepBuilder.isDepthwise(g)
    let scratchCount =
      depthwise
      ? Kernels.depthwiseScratchCount(g, threads: threads) : Kernels.conv2dScratchCount(g, threads: threads)
    var scratch = FloatBufferPool.take(max(scratchCount, 1))
    defer { FloatBufferPool.give(scratch) }
    var y = TrainValue.zeros(outputShape)
    x.values.withPointer { px in
      w.values.withPointer { pw in
        (bias ?? []).withPointer { pb in
          scratch.withMutablePointer { s in
            y.values.withMutablePointer { py in
              let b = bias == nil ? nil : pb
              if depthwise {
                Kernels.depthwiseConv2d(
                  g, input: px, weight: pw, bias: b, output: py, activation: .none, scratch: s,
                  threads: threads)
              } else {
                Kernels.conv2d(
                  g, input: px, weight: pw, bias: b, output: py, activation: .none,
                  scratch: scratchCount > 0 ? s : nil, threads: threads)
              }
            }
          }
        }
      }
    }
    return y
  }

  /// Gradients of the input, the weights and the bias.
  static func backward(_ a: ConvAttributes, _ context: BackwardContext) throws(EngineError) -> [TrainValue?] {
    let (x, w) = (context.inputs[0], context.inputs[1])
    let g = try geometry(context.node, a, x.shape, w.shape, context.output.shape)
    let dy = context.outputGradient.values
    var dx = TrainValue.zeros(context.needs(0) ? x.shape : [0])
    var dw = TrainValue.zeros(context.needs(1) ? w.shape : [0])
    x.values.withPointer { px in
      w.values.withPointer { pw in
        dy.withPointer { pdy in
          dx.values.withMutablePointer { pdx in
            dw.values.withMutablePointer { pdw in
              let operands = Operands(
                x: px, w: pw, dy: pdy, dx: context.needs(0) ? pdx : nil, dw: context.needs(1) ? pdw : nil)
              if StepBuilder.isDepthwise(g) {
                depthwiseBackward(g, operands)
              } else {
                Kernels.setBLASThreads(context.threads)
                gemmBackward(g, operands)
              }
            }
          }
        }
      }
    }
    var result: [TrainValue?] = [context.needs(0) ? dx : nil, context.needs(1) ? dw : nil]
    if context.inputs.count > 2 {
      result.append(context.needs(2) ? biasGradient(g, dy) : nil)
    }
    return result
  }

  /// The memory a backward pass reads and writes; nil gradients are not wanted.
  struct Operands {
    let x: UnsafePointer<Float>
    let w: UnsafePointer<Float>
    let dy: UnsafePointer<Float>
    let dx: UnsafeMutablePointer<Float>?
    let dw: UnsafeMutablePointer<Float>?
  }

  /// The sum of the output gradient over samples and positions, per output channel.
  static func biasGradient(_ g: ConvGeometry, _ dy: [Float]) -> TrainValue {
    var sums = [Double](repeating: 0, count: g.outChannels)
    dy.withPointer { p in
      for n in 0..<g.batch {
        for c in 0..<g.outChannels {
          sums[c] += Double(Kernels.sum(p + (n * g.outChannels + c) * g.outPlane, g.outPlane))
        }
      }
    }
    return TrainValue(shape: [g.outChannels], values: sums.map { Float($0) })
  }

  /// Dense and grouped convolutions: per sample and group, `dW += dY * cols^T` and
  /// `dX += col2im(W^T * dY)` (a pointwise convolution's columns are the input itself).
  static func gemmBackward(_ g: ConvGeometry, _ o: Operands) {
    if Kernels.batchesSamples(g) {
      batchedGemmBackward(g, o)
      return
    }
    let k = g.columnRows
    let p = g.outPlane
    let m = g.outPerGroup
    var columns = FloatBufferPool.take(g.isPointwise ? 1 : k * p)
    defer { FloatBufferPool.give(columns) }
    columns.withMutablePointer { cols in
      for n in 0..<g.batch {
        for group in 0..<g.group {
          let xg = o.x + (n * g.inChannels + group * g.inPerGroup) * g.inPlane
          let dyg = o.dy + (n * g.outChannels + group * m) * p
          let wg = o.w + group * m * k
          if let dw = o.dw {
            var operand = xg
            if !g.isPointwise {
              Kernels.im2col(g, input: xg, columns: cols)
              operand = UnsafePointer(cols)
            }
            Kernels.sgemm(
              transA: false, transB: true, m: m, n: k, k: p, alpha: 1, a: dyg, lda: p, b: operand, ldb: p,
              beta: 1, c: dw + group * m * k, ldc: k)
          }
          if let dx = o.dx {
            let dxg = dx + (n * g.inChannels + group * g.inPerGroup) * g.inPlane
            if g.isPointwise {
              Kernels.sgemm(
                transA: true, transB: false, m: k, n: p, k: m, alpha: 1, a: wg, lda: k, b: dyg, ldb: p,
                beta: 1, c: dxg, ldc: p)
            } else {
              Kernels.sgemm(
                transA: true, transB: false, m: k, n: p, k: m, alpha: 1, a: wg, lda: k, b: dyg, ldb: p,
                beta: 0, c: cols, ldc: p)
              Kernels.col2imAdding(g, columns: cols, input: dxg)
            }
          }
        }
      }
    }
  }

  /// `sum(a[i] * b[i])` over `count` floats, four partial sums at a time (a fixed order, so the result is
  /// the same on every run).
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var partial = SIMD4<Float>()
    var i = 0
    while i + 4 <= count {
      partial += SIMDRows.load(a, i) * SIMDRows.load(b, i)
      i += 4
    }
    var total = partial.sum()
    while i < count {
      total += a[i] * b[i]
      i += 1
    }
    return total
  }

  /// `gemmBackward` for small output planes, where per-sample GEMMs are too narrow to run at speed (the
  /// forward kernel batches the same cases): every sample's columns side by side (`K x N*P`) and the
  /// group's output gradient gathered the same way, so each group is two wide GEMMs.
  static func batchedGemmBackward(_ g: ConvGeometry, _ o: Operands) {
    let k = g.columnRows
    let p = g.outPlane
    let m = g.outPerGroup
    let wide = g.batch * p
    var columns = FloatBufferPool.take(k * wide)
    var gathered = FloatBufferPool.take(m * wide)
    defer {
      FloatBufferPool.give(columns)
      FloatBufferPool.give(gathered)
    }
    columns.withMutablePointer { cols in
      gathered.withMutablePointer { dyw in
        for group in 0..<g.group {
          for n in 0..<g.batch {
            let source = o.dy + (n * g.outChannels + group * m) * p
            for r in 0..<m { Kernels.copy(source + r * p, dyw + r * wide + n * p, p) }
          }
          if let dw = o.dw {
            for n in 0..<g.batch {
              let xg = o.x + (n * g.inChannels + group * g.inPerGroup) * g.inPlane
              if g.isPointwise {
                for c in 0..<g.inPerGroup { Kernels.copy(xg + c * g.inPlane, cols + c * wide + n * p, p) }
              } else {
                Kernels.im2col(g, input: xg, columns: cols + n * p, rowStride: wide)
              }
            }
            Kernels.sgemm(
              transA: false, transB: true, m: m, n: k, k: wide, alpha: 1, a: dyw, lda: wide, b: cols,
              ldb: wide,
              beta: 1, c: dw + group * m * k, ldc: k)
          }
          if let dx = o.dx {
            Kernels.sgemm(
              transA: true, transB: false, m: k, n: wide, k: m, alpha: 1, a: o.w + group * m * k, lda: k,
              b: dyw, ldb: wide, beta: 0, c: cols, ldc: wide)
            for n in 0..<g.batch {
              let dxg = dx + (n * g.inChannels + group * g.inPerGroup) * g.inPlane
              if g.isPointwise {
                for c in 0..<g.inPerGroup {
                  let source = cols + c * wide + n * p
                  let target = dxg + c * g.inPlane
                  for j in 0..<p { target[j] += source[j] }
                }
              } else {
                Kernels.col2imAdding(g, columns: cols + n * p, input: dxg, rowStride: wide)
              }
            }
          }
        }
      }
    }
  }

  /// Depthwise convolutions (output channel `oc` reads input channel `oc / multiplier`): per output plane
  /// and tap, one pass over the output rows that accumulates both gradients.
  ///
  /// The columns and rows each tap reaches inside the input are worked out once per call rather than per
  /// plane and row, and the index arithmetic does not check for overflow (the geometry bounds it), which
  /// leaves the inner loops to the arithmetic; the order of every sum is unchanged.
  static func depthwiseBackward(_ g: ConvGeometry, _ o: Operands) {
    let multiplier = g.outChannels / g.inChannels
    let taps = g.kernelHeight * g.kernelWidth
    let s = g.strideWidth
    let columns = (0..<g.kernelWidth).map { g.validColumns(offset: $0 * g.dilationWidth) }
    let rows = (0..<g.kernelHeight).map { ky in validRows(g, offset: ky * g.dilationHeight) }
    for n in 0..<g.batch {
      for oc in 0..<g.outChannels {
        let inputPlane = (n &* g.inChannels &+ oc / multiplier) &* g.inPlane
        let x = o.x + inputPlane
        let dy = o.dy + (n &* g.outChannels &+ oc) &* g.outPlane
        for ky in 0..<g.kernelHeight {
          let rowRange = rows[ky]
          if rowRange.isEmpty { continue }
          for kx in 0..<g.kernelWidth {
            let t = oc &* taps &+ ky &* g.kernelWidth &+ kx
            let weight = o.w[t]
            let offsetX = kx &* g.dilationWidth
            let valid = columns[kx]
            if valid.isEmpty { continue }
            let (low, count) = (valid.lowerBound, valid.count)
            var sum: Float = 0
            var oy = rowRange.lowerBound
            while oy < rowRange.upperBound {
              let iy = oy &* g.strideHeight &- g.padTop &+ ky &* g.dilationHeight
              let start = iy &* g.inWidth &- g.padLeft &+ offsetX
              let gradient = dy + oy &* g.outWidth
              oy &+= 1
              if s == 1 {
                if o.dw != nil { sum += dot(gradient + low, x + start + low, count) }
                if let dx = o.dx {
                  SIMDRows.accumulate1(dx + inputPlane + start + low, count, weight, gradient + low)
                }
                continue
              }
              if o.dw != nil {
                let row = x + start
                var ox = low
                while ox < valid.upperBound {
                  sum += gradient[ox] * row[ox &* s]
                  ox &+= 1
                }
              }
              if let dx = o.dx {
                let row = dx + inputPlane + start
                var ox = low
                while ox < valid.upperBound {
                  row[ox &* s] += weight * gradient[ox]
                  ox &+= 1
                }
              }
            }
            o.dw?[t] += sum
          }
        }
      }
    }
  }

  /// The output rows whose tap at vertical `offset` falls inside the input (the rows the per-row bounds
  /// check would keep).
  static func validRows(_ g: ConvGeometry, offset: Int) -> Range<Int> {
    let shift = g.padTop - offset  // iy = oy * stride - shift
    let low = shift <= 0 ? 0 : (shift + g.strideHeight - 1) / g.strideHeight
    let lastInput = g.inHeight - 1 + shift
    let high = lastInput < 0 ? 0 : min(g.outHeight, lastInput / g.strideHeight + 1)
    return low..<max(low, high)
  }
}
