/// `FilterTapMeans` kept per group of samples, so the mean of a layer's output shift comes with its
/// standard error.
///
/// Sample `s` (counted from the first sample of the pass) goes to group `s mod groupCount`: interleaving
/// keeps the groups alike when the data is ordered (by class, by recording). The float and the quantized
/// passes see the same samples in the same order, so group `g` holds the same samples in both, and the
/// per-group difference of their expected outputs is a per-group shift whose spread across groups measures
/// how well the calibration samples pin the shift down.
struct GroupedTapMeans: Sendable, Equatable {
  /// One accumulator per group.
  private(set) var groups: [FilterTapMeans]

  /// `groupCount` accumulators for the input of `node` (see `FilterTapMeans.init`).
  init(for node: QuantizedNode, inputShape: [Int], filterShape: [Int], groupCount: Int) throws(EngineError) {
    let one = try FilterTapMeans(for: node, inputShape: inputShape, filterShape: filterShape)
    groups = Array(repeating: one, count: max(1, groupCount))
  }

  /// Adds a batch `[n, C, H, W]` or `[n, C]` whose first sample is sample `firstSample` of the pass.
  mutating func add(_ values: UnsafeBufferPointer<Float>, shape: [Int], firstSample: Int) {
    guard let n = shape.first, n > 0, let base = values.baseAddress else { return }
    let size = shape.dropFirst().reduce(1, *)
    let one = [1] + shape.dropFirst()
    for s in 0..<n {
      let slice = UnsafeBufferPointer(start: base + s * size, count: size)
      groups[(firstSample + s) % groups.count].add(slice, shape: one)
    }
  }

  /// Adds a batch of device activations `[n, C, H, W]` or `[n, C]` (codes dequantized one sample at a time)
  /// whose first sample is sample `firstSample` of the pass.
  mutating func add(_ view: IntegerActivationView, firstSample: Int) {
    guard let n = view.shape.first, n > 0 else { return }
    let size = view.shape.dropFirst().reduce(1, *)
    let one = [1] + view.shape.dropFirst()
    let sample = UnsafeMutablePointer<Float>.allocate(capacity: max(size, 1))
    defer { sample.deallocate() }
    for s in 0..<n {
      view.dequantize(s * size..<(s + 1) * size, into: sample)
      groups[(firstSample + s) % groups.count].add(
        UnsafeBufferPointer(start: sample, count: size), shape: one)
    }
  }

  /// Per group, `Σ W[o, ·] · M_g` for every output channel, with the group's number of positions.
  func expectedProducts(
    weights: [Float], outputChannels: Int, depthwise: Bool
  ) -> [(products: [Double], positions: Int)] {
    groups.map {
      (
        $0.expectedProducts(weights: weights, outputChannels: outputChannels, depthwise: depthwise),
        $0.positions
      )
    }
  }
}
