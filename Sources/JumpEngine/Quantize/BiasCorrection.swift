/// Empirical bias correction (Nagel et al. 2019, REFERENCES §5): removes the shift of each output channel's
/// mean that quantization introduces, measured on calibration data.
///
/// For every quantized CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, the float layer's pre-activation mean
/// `E[y_o]` and the quantized layer's `E[ỹ_o]` are measured on the same samples: `y` from the float lowered
/// graph, `ỹ` with quantized weights, its integer bias, and the input the already corrected layers before it
/// produce on the device. The bias becomes `b̃_o − (E[ỹ_o] − E[y_o])`, rounded back onto its integer grid.
/// This covers the weight error `ε · E[x]`, the rounding of the bias, and the mean error carried in from
/// earlier layers, including what the device's own rounding leaves behind (the double rounding of MEAN, the
/// fixed-point requantization). Means come from `FilterTapMeans` (one mean per filter tap and input
/// channel), which makes `E[y]` exact for any padding, so the pre-activation means are known even where the
/// activation is fused.
///
/// Each shift is measured per group of samples (`GroupedTapMeans`) and removed as far as the groups agree
/// on it (`ShiftEstimate.shrunk`): a shift much larger than its standard error is removed whole, one that is
/// mostly sampling noise is left alone, since subtracting noise measured on the calibration samples adds
/// error on every other input.
///
/// Two passes over the data, each running every layer once: a float pass measures `E[y]` of every layer,
/// then the quantized pass runs the samples (at most `sampleLimit`, 64 by default) together through the
/// integer executor, TFLite Micro's arithmetic. Just before a layer runs, its input, which comes from
/// layers already corrected, is measured and its bias corrected; the layer then runs with the new bias, so
/// the pass ends with the corrected model's device outputs (`BiasCorrectionReport.outputs`), which
/// `quantize` reuses for its output SQNR. Memory is the executor's planned buffers for the samples and
/// `channels × kernel` sums per layer, whatever the dataset's size, and the cost is linear in the number of
/// layers. Sums are in a fixed order (sample by sample), so the result is deterministic for a given thread
/// count.
public enum BiasCorrection {
  /// Corrects the biases of `graph` (quantized from `lowered`) on the first samples of `dataset`
  /// (`options.sampleLimit`). `floatTapMeans` (from the calibration on the same data) stands in for the
  /// float pass wherever it holds a layer's means on the same samples.
  ///
  /// `progress` receives `(samples done, samples in total)` over all passes; `isCancelled` is polled
  /// before every batch and op. Throws `invalidData` for a dataset with no samples.
  public static func correct(
    _ graph: QuantizedGraph, lowered: LoweredGraph, dataset: Dataset,
    options: BiasCorrectionOptions = .init(), floatTapMeans: CalibrationTapMeans? = nil,
    isCancelled: () -> Bool = { false }, progress: (Int, Int) -> Void = { _, _ in }
  ) throws(EngineError) -> (graph: QuantizedGraph, report: BiasCorrectionReport) {
    guard dataset.count > 0 else { throw EngineError.invalidData(dataset.path, "the dataset has no samples") }
    let dataset = options.sampleLimit.map { dataset.prefix($0) } ?? dataset
    var pass = BiasCorrectionPass(
      graph: graph, lowered: lowered, sampleCount: dataset.count, options: options
    ) {
      var batches = dataset.batches(size: options.batchSize)
      return { () throws(EngineError) -> Tensor? in try batches.next()?.x }
    }
    pass.knownMeans = floatTapMeans
    return try pass.run(isCancelled: isCancelled, progress: progress)
  }

  /// Corrects the biases of `graph` on the first of `samples` (the first axis indexes samples), in batches.
  public static func correct(
    _ graph: QuantizedGraph, lowered: LoweredGraph, samples: Tensor, options: BiasCorrectionOptions = .init(),
    isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> (graph: QuantizedGraph, report: BiasCorrectionReport) {
    let n = min(samples.shape.first ?? 0, options.sampleLimit ?? .max)
    guard n > 0 else { throw EngineError(.invalidData, "bias correction needs at least one sample") }
    let values = samples.floats ?? samples.asFloats()
    let size = samples.shape.dropFirst().reduce(1, *)
    var pass = BiasCorrectionPass(graph: graph, lowered: lowered, sampleCount: n, options: options) {
      var start = 0
      return { () throws(EngineError) -> Tensor? in
        guard start < n else { return nil }
        let end = min(n, start + options.batchSize)
        defer { start = end }
        return Tensor(
          shape: [end - start] + samples.shape.dropFirst(),
          floats: Array(values[(start * size)..<(end * size)]))
      }
    }
    return try pass.run(isCancelled: isCancelled, progress: { _, _ in })
  }
}

/// How bias correction runs over the data.
public struct BiasCorrectionOptions: Sendable, Hashable {
  /// Use at most this many samples (the first ones); nil for all.
  ///
  /// The default is 64: each pass costs a forward pass per sample, and a channel's mean over 64 samples
  /// (times every output position of a convolution) is already as good as over more. On the sample
  /// teacher, 32, 64, 128 and 200 operational samples give the same test accuracy and output SQNR within
  /// 0.1 dB (int8 per-channel, per-tensor, int4), at a third of the time of 200.
  public var sampleLimit: Int?
  /// Samples per executor run.
  public var batchSize: Int
  /// Threads for the simulation's kernels.
  public var threads: Int
  /// Groups of samples (sample `s` in group `s mod groups`) whose shifts give each channel's standard
  /// error; 1 removes every measured shift whole.
  ///
  /// The default is 16 (four samples a group at 64): on MobileNetV3-Small the shifts of the late 4×4 and
  /// 1×1 layers measured on 64 calibration samples differ from those on held-out data by as much as the
  /// shifts themselves (correlation 0.5–0.8), and removing them whole lost 0.3 dB of output SQNR on the
  /// test digits; shrinking them by their standard error keeps the early layers' corrections and drops
  /// the noise. Teacher, DS-CNN and MLP move by less than 0.25 dB either way.
  public var groups: Int

  /// Creates options (64 samples, batches of 32, one thread, 16 groups).
  public init(sampleLimit: Int? = 64, batchSize: Int = 32, threads: Int = 1, groups: Int = 16) {
    self.sampleLimit = sampleLimit.map { max(1, $0) }
    self.batchSize = max(1, batchSize)
    self.threads = max(1, threads)
    self.groups = max(1, groups)
  }
}

/// What bias correction did to one layer.
public struct BiasCorrectionLayer: Sendable, Equatable {
  /// The device node.
  public var node: String
  /// The largest shift removed over its output channels (`|E[ỹ_o] − E[y_o]|` after shrinkage), in real units.
  public var largestShift: Double
  /// The same in quantization steps of the layer's output (nil for a float output).
  public var largestShiftSteps: Double?

  /// Creates an entry.
  public init(node: String, largestShift: Double, largestShiftSteps: Double?) {
    self.node = node
    self.largestShift = largestShift
    self.largestShiftSteps = largestShiftSteps
  }
}

/// The outcome of bias correction.
public struct BiasCorrectionReport: Sendable, Equatable {
  /// The corrected layers in graph order.
  public var layers: [BiasCorrectionLayer]
  /// Samples measured per pass.
  public var samples: Int
  /// Passes over the data (the float pass included).
  public var passes: Int
  /// The corrected graph's outputs on the measured samples as the device computes them (TFLite Micro's
  /// arithmetic), dequantized, in the graph's output order: the quantized pass ends with them, so an
  /// output-SQNR check on the same samples need not run the model again. Empty when nothing was corrected.
  public var outputs: [Tensor]

  /// Creates a report.
  public init(layers: [BiasCorrectionLayer], samples: Int, passes: Int, outputs: [Tensor] = []) {
    self.layers = layers
    self.samples = samples
    self.passes = passes
    self.outputs = outputs
  }
}

/// The state of one bias correction.
struct BiasCorrectionPass {
  /// A source of batches: each call to `makeBatches` starts over from the first sample.
  typealias BatchReader = () throws(EngineError) -> Tensor?

  /// The graph being corrected (biases replaced as layers are done).
  var graph: QuantizedGraph
  /// The float graph the quantized one came from.
  let lowered: LoweredGraph
  /// Samples per pass.
  let sampleCount: Int
  let options: BiasCorrectionOptions
  let makeBatches: () -> BatchReader
  /// Samples seen so far, over all passes.
  var done = 0
  /// Float tap means measured elsewhere on the same samples (the calibration pass), used where they match.
  var knownMeans: CalibrationTapMeans?
  /// `CalibrationReference`'s digest of the pass's samples, once read.
  var sampleDigest: UInt64?
  /// Groups of samples whose shifts are compared (`GroupedTapMeans`).
  var groupCount: Int { options.groups }

  init(
    graph: QuantizedGraph, lowered: LoweredGraph, sampleCount: Int, options: BiasCorrectionOptions,
    makeBatches: @escaping () -> BatchReader
  ) {
    self.graph = graph
    self.lowered = lowered
    self.sampleCount = sampleCount
    self.options = options
    self.makeBatches = makeBatches
  }

  /// A layer to correct: its index in `graph.nodes` and its float counterpart.
  struct Layer {
    let index: Int
    let float: QuantizedNode
  }

  /// Runs both passes; `isCancelled` and `progress` as in `BiasCorrection.correct`.
  mutating func run(
    isCancelled: () -> Bool, progress: (Int, Int) -> Void
  ) throws(EngineError) -> (graph: QuantizedGraph, report: BiasCorrectionReport) {
    let layers = correctableLayers()
    guard !layers.isEmpty else {
      return (graph, BiasCorrectionReport(layers: [], samples: sampleCount, passes: 0))
    }
    separateSharedBiases(layers)
    let samples = try allSamples()
    sampleDigest = CalibrationReference.digest(of: samples)
    let total = sampleCount * 2
    let expected = try floatExpectations(layers, total: total, isCancelled, progress)
    let (entries, outputs) = try correctOnDevice(
      layers, samples: samples, expected: expected, total: total, isCancelled: isCancelled,
      progress: progress)
    let report = BiasCorrectionReport(layers: entries, samples: sampleCount, passes: 2, outputs: outputs)
    try graph.validate()
    return (graph, report)
  }

  /// Quantized weighted nodes (integer filters) that have a float node of the same name in `lowered`.
  func correctableLayers() -> [Layer] {
    var floatNodes: [String: QuantizedNode] = [:]
    for node in lowered.graph.nodes where node.op.hasWeights { floatNodes[node.name] = node }
    return graph.nodes.enumerated().compactMap { index, node in
      guard node.op.hasWeights, node.inputs.count == 3,
        let filter = graph.tensors[node.inputs[1]], filter.elementType != .float32,
        let float = floatNodes[node.name], float.inputs.count == 3
      else { return nil }
      return Layer(index: index, float: float)
    }
  }

  /// The quantized pass, on the device's arithmetic: the samples run together, one pass of the integer
  /// executor (TFLite Micro's kernels), and each layer (`layers` in graph order) is measured and corrected
  /// right before it runs, so it sees its input as the corrected layers before it make it on the device.
  /// Returns the entries in graph order and the corrected graph's outputs on the samples, dequantized.
  mutating func correctOnDevice(
    _ layers: [Layer], samples: Tensor, expected: [[[Double]]], total: Int, isCancelled: () -> Bool,
    progress: (Int, Int) -> Void
  ) throws(EngineError) -> (entries: [BiasCorrectionLayer], outputs: [Tensor]) {
    let executor = try IntegerExecutor(
      graph: graph, batchSize: samples.shape.first ?? 1, threads: options.threads)
    let position = Dictionary(uniqueKeysWithValues: layers.enumerated().map { ($1.index, $0) })
    var entries: [BiasCorrectionLayer] = []
    let start = done
    let nodeCount = graph.nodes.count
    let outputs = try executor.run(input: samples, isCancelled: isCancelled) { (index) throws(EngineError) in
      done = start + sampleCount * index / nodeCount
      progress(done, total)
      guard let p = position[index] else { return }
      let node = graph.nodes[index]
      guard let view = executor.activation(node.inputs[0]) else {
        throw EngineError(.invalidModel, "node '\(node.name)': input '\(node.inputs[0])' is not live")
      }
      var means = try GroupedTapMeans(
        for: node, inputShape: try graph.tensor(node.inputs[0]).shape,
        filterShape: try graph.tensor(node.inputs[1]).shape, groupCount: groupCount)
      means.add(view, firstSample: 0)
      entries.append(try correct(index, means: means, expected: expected[p]))
      try executor.replaceBias(try graph.tensor(node.inputs[2]))
    }
    done = start + sampleCount
    progress(done, total)
    return (entries, outputs.map(IntegerExecutor.dequantized))
  }

  /// Every sample of the pass in one tensor (samples along the first axis).
  func allSamples() throws(EngineError) -> Tensor {
    let next = makeBatches()
    var values: [Float] = []
    var shape: [Int] = []
    while let batch = try next() {
      values.append(contentsOf: batch.floats ?? batch.asFloats())
      shape = shape.isEmpty ? batch.shape : [shape[0] + (batch.shape.first ?? 0)] + shape.dropFirst()
    }
    guard (shape.first ?? 0) > 0 else {
      throw EngineError(.invalidData, "bias correction needs at least one sample")
    }
    return Tensor(shape: shape, floats: values)
  }

  /// Gives every layer's bias a tensor of its own (`NAME#corrected`) where several nodes read one, so that
  /// correcting one layer leaves the others' biases as they were.
  mutating func separateSharedBiases(_ layers: [Layer]) {
    var readers: [String: Int] = [:]
    for node in graph.nodes {
      for input in node.inputs { readers[input, default: 0] += 1 }
    }
    for layer in layers {
      let name = graph.nodes[layer.index].inputs[2]
      guard (readers[name] ?? 0) > 1, var copy = graph.tensors[name] else { continue }
      var unique = "\(name)#corrected"
      var n = 2
      while graph.tensors[unique] != nil {
        unique = "\(name)#corrected\(n)"
        n += 1
      }
      copy.name = unique
      graph.tensors[unique] = copy
      graph.nodes[layer.index].inputs[2] = unique
      readers[name, default: 0] -= 1
    }
  }

  /// `E[y_o]` of every layer in the float graph, per group of samples: bias plus the filter applied to
  /// the group's tap means (layer, group, channel).
  mutating func floatExpectations(
    _ layers: [Layer], total: Int, _ isCancelled: () -> Bool, _ progress: (Int, Int) -> Void
  ) throws(EngineError) -> [[[Double]]] {
    var known: [(Int, GroupedTapMeans)] = []
    var unknown: [(Int, QuantizedNode)] = []
    for (position, layer) in layers.enumerated() {
      if let means = try knownMeans(of: layer.float) {
        known.append((position, means))
      } else {
        unknown.append((position, layer.float))
      }
    }
    var measured = known
    if unknown.isEmpty {
      done += sampleCount
      progress(done, total)
    } else {
      measured += try measure(lowered.graph, layers: unknown, total: total, isCancelled, progress)
    }
    var expected: [[[Double]]] = Array(repeating: [], count: layers.count)
    for (position, means) in measured {
      let node = layers[position].float
      guard let w = lowered.graph.tensors[node.inputs[1]], let weights = w.dequantizedValues(),
        let bias = lowered.graph.tensors[node.inputs[2]]?.dequantizedValues()
      else { throw EngineError(.invalidModel, "node '\(node.name)': float filter and bias expected") }
      let products = means.expectedProducts(
        weights: weights, outputChannels: bias.count, depthwise: Self.isDepthwise(node))
      expected[position] = products.map { group in zip(bias, group.products).map { Double($0) + $1 } }
    }
    return expected
  }

  /// The calibration's tap means of `node`'s input when they cover this pass's samples.
  func knownMeans(of node: QuantizedNode) throws(EngineError) -> GroupedTapMeans? {
    guard let knownMeans, knownMeans.sampleCount == sampleCount, knownMeans.inputDigest == sampleDigest
    else { return nil }
    let inputShape = try lowered.graph.tensor(node.inputs[0]).shape
    return knownMeans.means(for: node, inputShape: inputShape, groupCount: groupCount)
  }

  static func isDepthwise(_ node: QuantizedNode) -> Bool {
    if case .depthwiseConv2D = node.op { return true }
    return false
  }

  /// One pass over the data through `graph` (cut after the inputs it needs), accumulating the tap means
  /// of the input of each `(position, node)`.
  mutating func measure(
    _ graph: QuantizedGraph, layers: [(Int, QuantizedNode)], total: Int, _ isCancelled: () -> Bool,
    _ progress: (Int, Int) -> Void
  ) throws(EngineError) -> [(Int, GroupedTapMeans)] {
    var accumulators: [GroupedTapMeans] = []
    var readers: [String: [Int]] = [:]
    for (slot, (_, node)) in layers.enumerated() {
      let input = try graph.tensor(node.inputs[0])
      let filter = try graph.tensor(node.inputs[1])
      accumulators.append(
        try GroupedTapMeans(
          for: node, inputShape: input.shape, filterShape: filter.shape, groupCount: groupCount))
      readers[node.inputs[0], default: []].append(slot)
    }
    let cut = try graph.prefix(producing: Set(readers.keys))
    let executor = try SimulationExecutor(graph: cut, batchSize: options.batchSize, threads: options.threads)
    let next = makeBatches()
    var first = 0
    while true {
      if isCancelled() { throw EngineError(.cancelled, "bias correction cancelled") }
      guard let batch = try next() else { break }
      try executor.visit(input: batch, isCancelled: isCancelled) { view in
        for slot in readers[view.name] ?? [] {
          accumulators[slot].add(view.values, shape: view.shape, firstSample: first)
        }
      }
      first += batch.shape.first ?? 0
      done += batch.shape.first ?? 0
      progress(done, total)
    }
    return zip(layers, accumulators).map { ($0.0, $1) }
  }

  /// Replaces the bias of the node at `index` so its output means match `expected` (per group), removing
  /// each channel's shift as far as the groups agree on it (`ShiftEstimate.shrunk`).
  mutating func correct(
    _ index: Int, means: GroupedTapMeans, expected: [[Double]]
  ) throws(EngineError) -> BiasCorrectionLayer {
    let node = graph.nodes[index]
    let filter = try graph.tensor(node.inputs[1])
    let bias = try graph.tensor(node.inputs[2])
    guard let weights = filter.dequantizedValues(), let values = bias.dequantizedValues(),
      let q = bias.quantization, let range = bias.elementType.integerRange,
      expected.allSatisfy({ $0.count == values.count })
    else { throw EngineError(.invalidModel, "node '\(node.name)': quantized filter and bias expected") }
    let groups = means.expectedProducts(
      weights: weights, outputChannels: values.count, depthwise: Self.isDepthwise(node))
    let positions = groups.map(\.positions)
    var corrected = [Int64](repeating: 0, count: values.count)
    var largest = 0.0
    for o in values.indices {
      let shifts = zip(groups, expected).map { Double(values[o]) + $0.products[o] - $1[o] }
      let shift = ShiftEstimate.shrunk(shifts, positions: positions)
      largest = max(largest, abs(shift))
      let scale = q.scales.count == 1 ? q.scales[0] : q.scales[o]
      corrected[o] = QuantizationRules.quantize(
        Float(Double(values[o]) - shift), scale: scale, zeroPoint: 0, range: range)
    }
    var replacement = bias
    replacement.data = QuantizationRules.storage(corrected, type: bias.elementType)
    graph.tensors[replacement.name] = replacement
    let step = graph.tensors[node.outputs[0]]?.quantization?.scale
    return BiasCorrectionLayer(
      node: node.name, largestShift: largest, largestShiftSteps: step.map { largest / Double($0) })
  }
}
