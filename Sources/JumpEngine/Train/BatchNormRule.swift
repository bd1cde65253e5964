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
      x.values.withPointer { p in
        for n in 0..<batch {
          for c in 0..<channels {
            let row = p + (n * channels + c) * plane
            var s: Double = 0
            for j in 0..<plane { s += Double(row[j]) }
            sums[c] += s
          }
        }
        for c in 0..<channels { sums[c] /= Double(max(m, 1)) }
        for n in 0..<batch {
          for c in 0..<channels {
            let row = p + (n * channels + c) * plane
            let mu = sums[c]
            var s: Double = 0
            for j in 0..<plane {
              let d = Double(row[j]) - mu
              s += d * d
            }
            squares[c] += s
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
              source, batch: batch, channels: channels, plane: plane, scale: s, shift: t, output: $0,
              threads: 1)
          }
        }
      }
    }
    return ForwardStep(
      output: y, saved: .batchNorm(mean: mean, inverseDeviation: inverse, unbiasedVariance: unbiased))
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
    x.values.withPointer { px in
      dy.withPointer { g in
        for n in 0..<batch {
          for c in 0..<channels {
            let offset = (n * channels + c) * plane
            let mu = mean[c]
            var sb: Double = 0
            var sg: Double = 0
            for j in 0..<plane {
              let d = Double(g[offset + j])
              sb += d
              sg += d * Double(px[offset + j] - mu)
            }
            dBeta[c] += sb
            dGamma[c] += sg * Double(inverse[c])
          }
        }
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
    let gradGamma = context.needs(1) ? TrainValue(shape: [channels], values: dGamma.map { Float($0) }) : nil
    let gradBeta = context.needs(2) ? TrainValue(shape: [channels], values: dBeta.map { Float($0) }) : nil
    return [dx, gradGamma, gradBeta, nil, nil]
  }
}
