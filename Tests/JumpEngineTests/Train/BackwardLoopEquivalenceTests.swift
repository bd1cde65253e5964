import Testing

@testable import JumpEngine

/// The rewritten backward loops give exactly the numbers of the straightforward loops they replaced: the
/// same products summed in the same order (compared bit for bit, not within a tolerance).
@Suite("Backward loop equivalence")
struct BackwardLoopEquivalenceTests {
  /// Depthwise geometries: stride 1 and 2, 3x3 and 5x5, padding, a channel multiplier, dilation, 1-D.
  static let depthwiseCases:
    [(input: [Int], channels: Int, kernel: [Int], strides: [Int], pads: [Int], dilations: [Int])] = [
      ([2, 3, 7, 6], 3, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]),
      ([2, 3, 9, 8], 3, [3, 3], [2, 2], [1, 1, 1, 1], [1, 1]),
      ([1, 2, 8, 9], 4, [5, 5], [2, 2], [2, 2, 2, 2], [1, 1]),
      ([1, 2, 6, 6], 2, [3, 3], [1, 1], [0, 2, 1, 0], [2, 2]),
      ([2, 2, 4, 4], 2, [5, 5], [1, 1], [2, 2, 2, 2], [1, 1]),
      ([2, 3, 11], 3, [3], [2], [1, 1], [1]),
    ]

  @Test("depthwise backward matches the per-row loop", arguments: 0..<6)
  func depthwise(caseIndex: Int) throws {
    let c = Self.depthwiseCases[caseIndex]
    let spatial = c.input.count - 2
    var output = [c.input[0], c.channels]
    for a in 0..<spatial {
      let span = c.dilations[a] * (c.kernel[a] - 1) + 1
      output.append((c.input[2 + a] + c.pads[a] + c.pads[a + spatial] - span) / c.strides[a] + 1)
    }
    let g = try #require(
      ConvGeometry(
        input: c.input, outChannels: c.channels, output: output, kernel: c.kernel, strides: c.strides,
        pads: c.pads, dilations: c.dilations, group: c.input[1]))
    var random = SeededRandom(state: UInt64(caseIndex + 1))
    let x = random.floats(c.input.reduce(1, *))
    let w = random.floats(c.channels * c.kernel.reduce(1, *))
    let dy = random.floats(output.reduce(1, *))
    var (dx, dw) = ([Float](repeating: 0, count: x.count), [Float](repeating: 0, count: w.count))
    var (referenceDx, referenceDw) = (dx, dw)
    x.withPointer { px in
      w.withPointer { pw in
        dy.withPointer { pdy in
          dx.withMutablePointer { pdx in
            dw.withMutablePointer { pdw in
              ConvolutionRule.depthwiseBackward(g, .init(x: px, w: pw, dy: pdy, dx: pdx, dw: pdw))
            }
          }
          referenceDx.withMutablePointer { pdx in
            referenceDw.withMutablePointer { pdw in
              Self.referenceDepthwiseBackward(g, .init(x: px, w: pw, dy: pdy, dx: pdx, dw: pdw))
            }
          }
        }
      }
    }
    #expect(dx.map(\.bitPattern) == referenceDx.map(\.bitPattern))
    #expect(dw.map(\.bitPattern) == referenceDw.map(\.bitPattern))
  }

  @Test(
    "broadcasting arithmetic backward matches the per-element loop",
    arguments: [Op.add, .sub, .mul],
    [([2, 3, 4, 5], [2, 3, 1, 1]), ([3, 1, 5], [4, 1]), ([2, 6], [2, 6])])
  func binary(op: Op, shapes: ([Int], [Int])) throws {
    var random = SeededRandom(state: 7)
    let a = TrainValue(random.tensor(shapes.0))
    let b = TrainValue(random.tensor(shapes.1))
    let plan = try #require(BroadcastPlan(a.shape, b.shape))
    let outputShape = try #require(Self.broadcastShape(a.shape, b.shape))
    let dy = TrainValue(random.tensor(outputShape))
    let context = BackwardContext(
      node: Node(name: "n", op: op, inputs: ["a", "b"], outputs: ["y"]), inputs: [a, b],
      output: TrainValue.zeros(outputShape), outputGradient: dy, saved: nil, needs: [true, true],
      mode: .training, threads: 1)
    let result = BinaryRule.backward(op, context)
    var (da, db) = ([Float](repeating: 0, count: a.count), [Float](repeating: 0, count: b.count))
    for row in 0..<plan.rows {
      let (rowA, rowB) = plan.offsets(ofRow: row)
      for i in 0..<plan.inner {
        let (ia, ib) = (rowA + i * plan.innerStrideA, rowB + i * plan.innerStrideB)
        let d = dy.values[row * plan.inner + i]
        switch op {
        case .add:
          da[ia] += d
          db[ib] += d
        case .sub:
          da[ia] += d
          db[ib] -= d
        default:
          da[ia] += d * b.values[ib]
          db[ib] += d * a.values[ia]
        }
      }
    }
    #expect(result[0]?.values.map(\.bitPattern) == da.map(\.bitPattern))
    #expect(result[1]?.values.map(\.bitPattern) == db.map(\.bitPattern))
  }

  @Test(
    "activation backward matches the in-place loop",
    arguments: [
      Op.relu, .clip(min: 0, max: 6), .hardSwish, .hardSigmoid(alpha: 1.0 / 6, beta: 0.5), .sigmoid,
    ])
  func activation(op: Op) {
    var random = SeededRandom(state: 11)
    let x = TrainValue(random.tensor([3, 37], in: -8...8))
    let y = ActivationRule.forward(op, x, threads: 1)
    let dy = TrainValue(random.tensor([3, 37]))
    let context = BackwardContext(
      node: Node(name: "n", op: op, inputs: ["x"], outputs: ["y"]), inputs: [x], output: y,
      outputGradient: dy, saved: nil, needs: [true], mode: .training, threads: 1)
    let result = ActivationRule.backward(op, context)
    var expected = dy.values
    for i in 0..<x.count {
      let v = x.values[i]
      switch op {
      case .relu: expected[i] = v > 0 ? expected[i] : 0
      case .clip(let low, let high):
        expected[i] = (v > (low ?? -.infinity) && v < (high ?? .infinity)) ? expected[i] : 0
      case .hardSwish: expected[i] *= v <= -3 ? 0 : (v >= 3 ? 1 : (2 * v + 3) / 6)
      case .hardSigmoid(let alpha, let beta):
        let t = alpha * v + beta
        expected[i] *= (t > 0 && t < 1) ? alpha : 0
      default: expected[i] *= y.values[i] * (1 - y.values[i])
      }
    }
    #expect(result?.values.map(\.bitPattern) == expected.map(\.bitPattern))
  }

  @Test(
    "max pooling backward without padding matches the bounds-checked loop (ties go to the first maximum)",
    arguments: [([2, 2], [2, 2], [1, 1]), ([3, 3], [2, 2], [1, 1]), ([2, 3], [1, 2], [2, 1])])
  func maxPool(kernel: [Int], strides: [Int], dilations: [Int]) throws {
    var random = SeededRandom(state: 3)
    let input = [2, 3, 9, 8]
    // Values on a coarse grid, so windows often hold equal maxima.
    let x: [Float] = random.floats(input.reduce(1, *)).map { (v: Float) -> Float in (v * 3).rounded() }
    var output = [2, 3]
    for a in 0..<2 {
      let span: Int = dilations[a] * (kernel[a] - 1) + 1
      output.append((input[2 + a] - span) / strides[a] + 1)
    }
    let g = try #require(
      ConvGeometry(
        input: input, outChannels: 3, output: output, kernel: kernel, strides: strides,
        pads: [0, 0, 0, 0], dilations: dilations, group: 1))
    #expect(PoolRule.windowsInside(g))
    let dy: [Float] = random.floats(output.reduce(1, *))
    var dx = [Float](repeating: 0, count: x.count)
    x.withPointer { px in
      dy.withPointer { pdy in dx.withMutablePointer { PoolRule.backwardMaxInside(g, px, pdy, $0) } }
    }
    var expected = [Float](repeating: 0, count: x.count)
    for p in 0..<(g.batch * g.inChannels) {
      for oy in 0..<g.outHeight {
        for ox in 0..<g.outWidth {
          var (best, winner) = (-Float.infinity, -1)
          for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
              let iy: Int = oy * g.strideHeight + ky * g.dilationHeight
              let ix: Int = ox * g.strideWidth + kx * g.dilationWidth
              let cell: Int = iy * g.inWidth + ix
              let v: Float = x[p * g.inPlane + cell]
              if v > best || winner < 0 { (best, winner) = (v, cell) }
            }
          }
          let o: Int = (p * g.outHeight + oy) * g.outWidth + ox
          expected[p * g.inPlane + winner] += dy[o]
        }
      }
    }
    #expect(dx.map(\.bitPattern) == expected.map(\.bitPattern))
  }

  @Test("BatchNormalization training statistics and gradients match one row at a time", arguments: [5, 8])
  func batchNorm(channels: Int) throws {
    var random = SeededRandom(state: 13)
    let shape = [3, channels, 4, 5]
    let (batch, plane) = (shape[0], shape[2] * shape[3])
    let x = TrainValue(random.tensor(shape))
    let parameters = (0..<4).map { _ in TrainValue(random.tensor([channels], in: 0.5...1.5)) }
    let step = BatchNormRule.forward([x] + parameters, epsilon: 1e-5, mode: .training)
    guard case .batchNorm(let mean, let inverse, let unbiased?) = step.saved else {
      Issue.record("no training statistics saved")
      return
    }
    var (sums, squares) = ([Double](repeating: 0, count: channels), [Double](repeating: 0, count: channels))
    for n in 0..<batch {
      for c in 0..<channels {
        var s: Double = 0
        for j in 0..<plane { s += Double(x.values[(n * channels + c) * plane + j]) }
        sums[c] += s
      }
    }
    for c in 0..<channels { sums[c] /= Double(batch * plane) }
    for n in 0..<batch {
      for c in 0..<channels {
        var s: Double = 0
        for j in 0..<plane {
          let d: Double = Double(x.values[(n * channels + c) * plane + j]) - sums[c]
          s += d * d
        }
        squares[c] += s
      }
    }
    #expect(mean.map(\.bitPattern) == sums.map { Float($0).bitPattern })
    #expect(unbiased.map(\.bitPattern) == squares.map { Float($0 / Double(batch * plane - 1)).bitPattern })
    let dy = TrainValue(random.tensor(shape))
    let context = BackwardContext(
      node: Node(
        name: "bn", op: .batchNormalization(epsilon: 1e-5), inputs: ["x", "s", "b", "m", "v"], outputs: ["y"]),
      inputs: [x] + parameters, output: step.output, outputGradient: dy, saved: step.saved,
      needs: [true, true, true, false, false], mode: .training, threads: 1)
    let result = BatchNormRule.backward(context)
    var (dBeta, dGamma) = ([Double](repeating: 0, count: channels), [Double](repeating: 0, count: channels))
    for n in 0..<batch {
      for c in 0..<channels {
        var (sb, sg): (Double, Double) = (0, 0)
        for j in 0..<plane {
          let i = (n * channels + c) * plane + j
          let d = Double(dy.values[i])
          sb += d
          sg += d * Double(x.values[i] - mean[c])
        }
        dBeta[c] += sb
        dGamma[c] += sg * Double(inverse[c])
      }
    }
    #expect(result[1]?.values.map(\.bitPattern) == dGamma.map { Float($0).bitPattern })
    #expect(result[2]?.values.map(\.bitPattern) == dBeta.map { Float($0).bitPattern })
  }

  /// The NumPy broadcast of two shapes, or nil.
  static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    let pa = Array(repeating: 1, count: rank - a.count) + a
    let pb = Array(repeating: 1, count: rank - b.count) + b
    var shape: [Int] = []
    for (x, y) in zip(pa, pb) {
      guard x == y || x == 1 || y == 1 else { return nil }
      shape.append(max(x, y))
    }
    return shape
  }

  /// The depthwise backward loop as first written: bounds checked per row and tap.
  static func referenceDepthwiseBackward(_ g: ConvGeometry, _ o: ConvolutionRule.Operands) {
    let multiplier = g.outChannels / g.inChannels
    let taps = g.kernelHeight * g.kernelWidth
    let s = g.strideWidth
    for n in 0..<g.batch {
      for oc in 0..<g.outChannels {
        let inputPlane = (n * g.inChannels + oc / multiplier) * g.inPlane
        let x = o.x + inputPlane
        let dy = o.dy + (n * g.outChannels + oc) * g.outPlane
        for ky in 0..<g.kernelHeight {
          for kx in 0..<g.kernelWidth {
            let t = oc * taps + ky * g.kernelWidth + kx
            let weight = o.w[t]
            let offsetX = kx * g.dilationWidth
            let valid = g.validColumns(offset: offsetX)
            if valid.isEmpty { continue }
            var sum: Float = 0
            for oy in 0..<g.outHeight {
              let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
              if iy < 0 || iy >= g.inHeight { continue }
              let start = iy * g.inWidth - g.padLeft + offsetX
              let gradient = dy + oy * g.outWidth
              if s == 1 {
                let (low, count) = (valid.lowerBound, valid.count)
                if o.dw != nil { sum += ConvolutionRule.dot(gradient + low, x + start + low, count) }
                if let dx = o.dx {
                  SIMDRows.accumulate1(dx + inputPlane + start + low, count, weight, gradient + low)
                }
                continue
              }
              if o.dw != nil {
                let row = x + start
                for ox in valid { sum += gradient[ox] * row[ox &* s] }
              }
              if let dx = o.dx {
                let row = dx + inputPlane + start
                for ox in valid { row[ox &* s] += weight * gradient[ox] }
              }
            }
            o.dw?[t] += sum
          }
        }
      }
    }
  }
}
