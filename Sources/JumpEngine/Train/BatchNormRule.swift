import Foundation

/// Forward and backward of BatchNormalization (inputs `X, scale, bias, mean, var`) in both modes.
///
/// Training mode normalizes with the batch's mean and biased variance, as PyTorch does, and keeps the
/// unbiased variance for the running update; inference mode uses the running statistics, which then are
/// constants. Sums run in `Double` so that large batches do not lose the small differences.
enum BatchNormRule {
  /// `(batch, channels, plane)` of an `N x C x ...` input.
  static func view(_ shape: [Int]) -> (Int, Int, Int) {
    (shape[0], shape.count > 1 ? shape[1] : 1, shape.dropFirst(2).reduce(1, *))
  }

  /// The normalized, scaled and shifted input, with the statistics used.
  static func forward(_ inputs: [TrainValue], epsilon: Float, mode: TrainingMode) -> ForwardStep {
    let x = inputs[0]
    let (batch, channels, plane) = view(x.shape)
    var mean = inputs[3].values
    var variance = inputs[4].values
    var unbiased: [Float]? = nil
    if mode == .training {
      let m = batch * plane
      var sums = [Double](repeating: 0, count: channels)
      var squares = [Double](repeating: 0, count: channels)
      var rowSums = [Double](repeating: 0, count: batch * channels)
      x.values.withPointer { p in
        rowSums.withUnsafeMutableBufferPointer { r in
          Self.rowSums(p, rows: batch * channels, length: plane, centers: nil, into: r.baseAddress!)
          for n in 0..<batch {
            for c in 0..<channels { sums[c] += r[n * channels + c] }
          }
          for c in 0..<channels { sums[c] /= Double(max(m, 1)) }
          sums.withUnsafeBufferPointer { mu in
            Self.rowSums(
              p, rows: batch * channels, length: plane, centers: (mu.baseAddress!, channels),
              into: r.baseAddress!)
          }
          for n in 0..<batch {
            for c in 0..<channels { squares[c] += r[n * channels + c] }
          }
        }
      }
      mean = sums.map { Float($0) }
      variance = squares.map { Float($0 / Double(max(m, 1))) }
      unbiased = squares.map { Float($0 / Double(max(m - 1, 1))) }
    }
    let inverse = variance.map { 1 / (($0 + epsilon).squareRoot()) }
    let gamma = inputs[1].values
    let beta = inputs[2].values
    var scale = [Float](repeating: 0, count: channels)
    var shift = [Float](repeating: 0, count: channels)
    for c in 0..<channels {
      scale[c] = gamma[c] * inverse[c]
      shift[c] = beta[c] - mean[c] * scale[c]
    }
    var y = TrainValue.zeros(x.shape)
    x.values.withPointer { source in
      scale.withPointer { s in
        shift.withPointer { t in
          y.values.withMutablePointer {
            Kernels.channelAffine(
              source, batch: batch, channels: channels, plane: plane, scale: s, shift: t,
              output: $0,
              threads: 1)
          }
        }
      }
    }
    return ForwardStep(
      output: y,
      saved: .batchNorm(mean: mean, inverseDeviation: inverse, unbiasedVariance: unbiased))
  }

  /// Per row of `length` floats, the `Double` sum of its elements, or with `centers` (one per channel, row
  /// `r` being channel `r % channels`) of their squared differences from the center.
  ///
  /// Each row is summed in element order, as a plain loop would, but four rows at a time in lockstep: a
  /// single `Double` running sum waits on every addition, four independent ones keep the adder busy, and
  /// the numbers are the same.
  static func rowSums(
    _ p: UnsafePointer<Float>, rows: Int, length: Int, centers: (UnsafePointer<Double>, Int)?,
    into result: UnsafeMutablePointer<Double>
  ) {
    @inline(__always) func center(_ r: Int) -> Double {
      guard let (mu, channels) = centers else { return 0 }
      return mu[r % channels]
    }
    var r = 0
    while r + 4 <= rows {
      let (a, b, c, d) = (
        p + r * length, p + (r + 1) * length, p + (r + 2) * length, p + (r + 3) * length
      )
      var (s0, s1, s2, s3): (Double, Double, Double, Double) = (0, 0, 0, 0)
      if centers == nil {
        for j in 0..<length {
          s0 += Double(a[j])
          s1 += Double(b[j])
          s2 += Double(c[j])
          s3 += Double(d[j])
        }
      } else {
        let (m0, m1, m2, m3) = (center(r), center(r + 1), center(r + 2), center(r + 3))
        for j in 0..<length {
          let (d0, d1, d2, d3) = (
            Double(a[j]) - m0, Double(b[j]) - m1, Double(c[j]) - m2, Double(d[j]) - m3
          )
          s0 += d0 * d0
          s1 += d1 * d1
          s2 += d2 * d2
          s3 += d3 * d3
        }
      }
      (result[r], result[r + 1], result[r + 2], result[r + 3]) = (s0, s1, s2, s3)
      r += 4
    }
    while r < rows {
      let row = p + r * length
      var s: Double = 0
      if centers == nil {
        for j in 0..<length { s += Double(row[j]) }
      } else {
        let mu = center(r)
        for j in 0..<length {
          let d = Double(row[j]) - mu
          s += d * d
        }
      }
      result[r] = s
      r += 1
    }
  }

  /// Per row, `sum(dy)` and `sum(dy * (x - mean))` in `Double` (at `2 * row` and `2 * row + 1`), each in
  /// element order, four rows in lockstep as in `rowSums`.
  static func gradientRowSums(
    _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ mean: UnsafePointer<Float>, rows: Int,
    channels: Int, length: Int, into result: UnsafeMutablePointer<Double>
  ) {
    var r = 0
    while r + 4 <= rows {
      let (x0, x1, x2, x3) = (
        x + r * length, x + (r + 1) * length, x + (r + 2) * length, x + (r + 3) * length
      )
      let (g0, g1, g2, g3) = (
        g + r * length, g + (r + 1) * length, g + (r + 2) * length, g + (r + 3) * length
      )
      let (m0, m1) = (mean[r % channels], mean[(r + 1) % channels])
      let (m2, m3) = (mean[(r + 2) % channels], mean[(r + 3) % channels])
      var (b0, b1, b2, b3): (Double, Double, Double, Double) = (0, 0, 0, 0)
      var (s0, s1, s2, s3): (Double, Double, Double, Double) = (0, 0, 0, 0)
      for j in 0..<length {
        let (d0, d1, d2, d3) = (Double(g0[j]), Double(g1[j]), Double(g2[j]), Double(g3[j]))
        b0 += d0
        b1 += d1
        b2 += d2
        b3 += d3
        s0 += d0 * Double(x0[j] - m0)
        s1 += d1 * Double(x1[j] - m1)
        s2 += d2 * Double(x2[j] - m2)
        s3 += d3 * Double(x3[j] - m3)
      }
      (result[2 * r], result[2 * r + 1], result[2 * r + 2], result[2 * r + 3]) = (b0, s0, b1, s1)
      (result[2 * r + 4], result[2 * r + 5], result[2 * r + 6], result[2 * r + 7]) = (
        b2, s2, b3, s3
      )
      r += 4
    }
    while r < rows {
      let (xr, gr, mu) = (x + r * length, g + r * length, mean[r % channels])
      var (sb, sg): (Double, Double) = (0, 0)
      for j in 0..<length {
        let d = Double(gr[j])
        sb += d
        sg += d * Double(xr[j] - mu)
      }
      (result[2 * r], result[2 * r + 1]) = (sb, sg)
      r += 1
    }
  }

  /// Gradients of `X`, scale and bias. In training mode the statistics depend on `X`, which adds the
  /// `-(sum(dy) + xhat * sum(dy * xhat)) / M` terms.
  static func backward(_ context: BackwardContext) -> [TrainValue?] {
    guard case .batchNorm(let mean, let inverse, _) = context.saved else { return [nil, nil, nil] }
    let x = context.inputs[0]
    let gamma = context.inputs[1].values
    let (batch, channels, plane) = view(x.shape)
    var dBeta = [Double](repeating: 0, count: channels)
    var dGamma = [Double](repeating: 0, count: channels)
    let dy = context.outputGradient.values
    let rows = batch * channels
    var rowSums = [Double](repeating: 0, count: 2 * rows)
    x.values.withPointer { px in
      dy.withPointer { g in
        mean.withPointer { mu in
          rowSums.withUnsafeMutableBufferPointer { r in
            gradientRowSums(
              px, g, mu, rows: rows, channels: channels, length: plane, into: r.baseAddress!)
          }
        }
      }
    }
    for n in 0..<batch {
      for c in 0..<channels {
        dBeta[c] += rowSums[2 * (n * channels + c)]
        dGamma[c] += rowSums[2 * (n * channels + c) + 1] * Double(inverse[c])
      }
    }
    var dx: TrainValue? = nil
    if context.needs(0) {
      var result = TrainValue.zeros(x.shape)
      let training = context.mode == .training
      let m = Float(batch * plane)
      x.values.withPointer { px in
        dy.withPointer { g in
          result.values.withMutablePointer { d in
            for n in 0..<batch {
              for c in 0..<channels {
                let offset = (n * channels + c) * plane
                let k = gamma[c] * inverse[c]
                if !training {
                  for j in 0..<plane { d[offset + j] = g[offset + j] * k }
                  continue
                }
                let sb = Float(dBeta[c]) / m
                let sg = Float(dGamma[c]) / m
                let mu = mean[c]
                let s = inverse[c]
                for j in 0..<plane {
                  let xhat = (px[offset + j] - mu) * s
                  d[offset + j] = k * (g[offset + j] - sb - xhat * sg)
                }
              }
            }
          }
        }
      }
      dx = result
    }
    let gradGamma =
      context.needs(1) ? TrainValue(shape: [channels], values: dGamma.map { Float($0) }) : nil
    let gradBeta =
      context.needs(2) ? TrainValue(shape: [channels], values: dBeta.map { Float($0) }) : nil
    return [dx, gradGamma, gradBeta, nil, nil]
  }
}
