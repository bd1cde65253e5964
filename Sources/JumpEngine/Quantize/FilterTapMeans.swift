/// The mean input a weighted layer sees at each tap of its filter, accumulated batch by batch.
///
/// A layer's output mean is linear in its input: `E[y_o] = b_o + Σ W[o, i, a, b] · M[i, a, b]`, where
/// `M[i, a, b]` is the mean of input channel `i` under filter tap `(a, b)` over every output position and
/// sample. Zero padding enters as zeros (the quantized kernels pad with the zero point, which is real 0), so
/// near the border `M` differs from the plain channel mean `E[x_i]`; keeping one mean per tap makes the
/// expected output exact instead of the `ε · E[x]` approximation, and the state is only
/// `channels × kernel` numbers whatever the amount of data. A FULLY_CONNECTED layer is the 1×1 case.
struct FilterTapMeans: Sendable, Equatable {
  /// Input channels (the input's axis 1).
  let channels: Int
  /// `[kernelH, kernelW]` (`[1, 1]` for FULLY_CONNECTED).
  let kernel: [Int]
  /// `[strideH, strideW]`.
  let strides: [Int]
  /// `[dilationH, dilationW]`.
  let dilations: [Int]
  /// `[top, left, bottom, right]`.
  let pads: [Int]
  /// Sums over output positions and samples, `[channels, kernelH, kernelW]`.
  private(set) var sums: [Double]
  /// How many (sample, output position) pairs were summed.
  private(set) var positions = 0

  /// The accumulator for the input of `node` (CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED) with filter
  /// shape `filterShape` (OIHW, or `[out, in]`).
  init(for node: QuantizedNode, inputShape: [Int], filterShape: [Int]) throws(EngineError) {
    switch node.op {
    case .conv2D(let o), .depthwiseConv2D(let o):
      guard inputShape.count == 4, filterShape.count == 4 else {
        throw EngineError(.invalidModel, "node '\(node.name)': convolution input and filter must be 4-D")
      }
      kernel = [filterShape[2], filterShape[3]]
      strides = o.strides
      dilations = o.dilations
      pads = o.pads
    case .fullyConnected:
      guard inputShape.count == 2 else {
        throw EngineError(.invalidModel, "node '\(node.name)': FULLY_CONNECTED input must be 2-D")
      }
      kernel = [1, 1]
      strides = [1, 1]
      dilations = [1, 1]
      pads = [0, 0, 0, 0]
    default:
      throw EngineError(.invalidModel, "node '\(node.name)' (\(node.op.tfliteName)) has no filter")
    }
    channels = inputShape[1]
    sums = [Double](repeating: 0, count: channels * kernel[0] * kernel[1])
  }

  /// The output length along one spatial axis.
  private func outputLength(_ input: Int, axis: Int) -> Int {
    let span = dilations[axis] * (kernel[axis] - 1) + 1
    return max(0, (input + pads[axis] + pads[axis + 2] - span) / strides[axis] + 1)
  }

  /// The input coordinates tap `tap` reads along `axis`, over every output position, padding left out:
  /// `count` coordinates from `first`, `strides[axis]` apart.
  private func taps(_ tap: Int, axis: Int, input: Int, output: Int) -> (first: Int, count: Int) {
    var first = 0
    var count = 0
    for o in 0..<output {
      let i = o * strides[axis] + tap * dilations[axis] - pads[axis]
      if i >= 0 && i < input {
        if count == 0 { first = i }
        count += 1
      }
    }
    return (first, count)
  }

  /// Adds a batch of the layer's input, `shape` `[n, C, H, W]` or `[n, C]`.
  ///
  /// Every sum runs in ascending coordinate order from zero; four rows are summed side by side so the
  /// double additions of different rows overlap instead of waiting on one chain.
  mutating func add(_ values: UnsafeBufferPointer<Float>, shape: [Int]) {
    guard shape.count >= 2, shape[1] == channels, let base = values.baseAddress else { return }
    let n = shape[0]
    let height = shape.count == 4 ? shape[2] : 1
    let width = shape.count == 4 ? shape[3] : 1
    let outH = outputLength(height, axis: 0)
    let outW = outputLength(width, axis: 1)
    let (kh, kw) = (kernel[0], kernel[1])
    let rows = (0..<kh).map { taps($0, axis: 0, input: height, output: outH) }
    let columns = (0..<kw).map { taps($0, axis: 1, input: width, output: outW) }
    let (rowStep, columnStep) = (strides[0], strides[1])
    let channels = self.channels
    // rowSums[b * height + h]: row h summed over the columns tap b reads.
    var rowSums = [Double](repeating: 0, count: kw * height)
    rowSums.withUnsafeMutableBufferPointer { rowSums in
      guard let rowSums = rowSums.baseAddress else { return }
      sums.withUnsafeMutableBufferPointer { sums in
        guard let sums = sums.baseAddress else { return }
        for sample in 0..<n {
          for c in 0..<channels {
            let plane = base + (sample * channels + c) * height * width
            for b in 0..<kw {
              let (first, count) = columns[b]
              let out = rowSums + b * height
              var h = 0
              while h + 4 <= height {
                let r0 = plane + h * width + first
                let (r1, r2, r3) = (r0 + width, r0 + 2 * width, r0 + 3 * width)
                var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
                var w = 0
                for _ in 0..<count {
                  s0 += Double(r0[w])
                  s1 += Double(r1[w])
                  s2 += Double(r2[w])
                  s3 += Double(r3[w])
                  w &+= columnStep
                }
                (out[h], out[h + 1], out[h + 2], out[h + 3]) = (s0, s1, s2, s3)
                h += 4
              }
              while h < height {
                let r = plane + h * width + first
                var sum = 0.0
                var w = 0
                for _ in 0..<count {
                  sum += Double(r[w])
                  w &+= columnStep
                }
                out[h] = sum
                h += 1
              }
            }
            for a in 0..<kh {
              let (first, count) = rows[a]
              for b in 0..<kw {
                let column = rowSums + b * height + first
                var sum = 0.0
                var h = 0
                for _ in 0..<count {
                  sum += column[h]
                  h &+= rowStep
                }
                sums[(c * kh + a) * kw + b] += sum
              }
            }
          }
        }
      }
    }
    positions += n * outH * outW
  }

  /// `M[i, a, b]`: the sums divided by the number of positions (zeros before any data).
  var means: [Double] {
    positions == 0 ? sums.map { _ in 0 } : sums.map { $0 / Double(positions) }
  }

  /// `Σ W[o, ·] · M` per output channel: the layer's output mean without its bias.
  ///
  /// `weights` is the filter in the node's layout: OIHW for CONV_2D, `[C·m, 1, kh, kw]` for
  /// DEPTHWISE_CONV_2D (output channel `o` reads input channel `o / m`), `[out, in]` for FULLY_CONNECTED.
  func expectedProducts(weights: [Float], outputChannels: Int, depthwise: Bool) -> [Double] {
    let m = means
    let taps = kernel[0] * kernel[1]
    let rowLength = outputChannels > 0 ? weights.count / outputChannels : 0
    let multiplier = depthwise ? max(outputChannels / max(channels, 1), 1) : 1
    return (0..<outputChannels).map { o in
      let row = o * rowLength
      let start = depthwise ? (o / multiplier) * taps : 0
      var sum = 0.0
      for k in 0..<min(rowLength, m.count - start) { sum += Double(weights[row + k]) * m[start + k] }
      return sum
    }
  }
}
