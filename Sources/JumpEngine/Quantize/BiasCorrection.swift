/// Empirical bias correction (Nagel et al. 2019, REFERENCES §5): removes the shift of each output channel's
/// mean that quantization introduces, measured on calibration data.
///
/// For every quantized CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, the float layer's pre-activation mean
/// `E[y_o]` and the quantized layer's `E[ỹ_o]` are measured on the same samples: `y` from the float lowered
/// graph, `ỹ` with quantized weights, its integer bias, and the fake-quantized input the already corrected
/// layers before it produce. The bias becomes `b̃_o − (E[ỹ_o] − E[y_o])`, rounded back onto its integer grid.
/// This covers the weight error `ε · E[x]`, the rounding of the bias, and the mean error carried in from
/// earlier layers. Means come from `FilterTapMeans` (one mean per filter tap and input channel), which makes
/// `E[y]` exact for any padding, so the pre-activation means are known even where the activation is fused.
///
/// Each shift is measured per group of samples (`GroupedTapMeans`) and removed as far as the groups agree
/// on it (`ShiftEstimate.shrunk`): a shift much larger than its standard error is removed whole, one that is
/// mostly sampling noise is left alone, since subtracting noise measured on the calibration samples adds
/// error on every other input. The simulation runs MEAN with the device's double rounding
/// (`SimulationExecutor.deviceMean`), so the bias that rounding leaves behind a global pool is measured too.
///
/// Two passes over the data, each running every layer once: a float pass measures `E[y]` of every layer,
/// then the quantized pass holds every batch (at most `sampleLimit` samples, 64 by default) and advances
/// them together one node at a time in graph order. Just before a layer runs, its input, which comes from
/// layers already corrected, is measured and its bias corrected; the layer then runs with the new bias.
/// Only the live activations of the held batches and `channels × kernel` sums per layer are kept (a tensor
/// is freed after its last reader), so memory does not grow with the number of samples beyond the limit,
/// and the cost is linear in the number of layers. Sums are in a fixed order (batch by batch, sample by
/// sample), so the result is deterministic for a given thread count.
public enum BiasCorrection {
  /// Corrects the biases of `graph` (quantized from `lowered`) on the first samples of `dataset`
  /// (`options.sampleLimit`).
  ///
  /// `progress` receives `(samples done, samples in total)` over all passes; `isCancelled` is polled
  /// before every batch and op. Throws `invalidData` for a dataset with no samples.
  public static func correct(
    _ graph: QuantizedGraph, lowered: LoweredGraph, dataset: Dataset,
    options: BiasCorrectionOptions = .init(),
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

  /// Creates a report.
  public init(layers: [BiasCorrectionLayer], samples: Int, passes: Int) {
    self.layers = layers
    self.samples = samples
    self.passes = passes
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
    let total = sampleCount * 2
    let expected = try floatExpectations(layers, total: total, isCancelled, progress)
    let entries = try correctInGraphOrder(
      layers, expected: expected, total: total, isCancelled: isCancelled, progress: progress)
    let report = BiasCorrectionReport(layers: entries, samples: sampleCount, passes: 2)
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

  /// The quantized pass: every batch advanced together node by node; each layer (`layers` in graph order)
  /// is measured and corrected right before it runs. Returns the entries in graph order.
  mutating func correctInGraphOrder(
    _ layers: [Layer], expected: [[[Double]]], total: Int, isCancelled: () -> Bool,
    progress: (Int, Int) -> Void
  ) throws(EngineError) -> [BiasCorrectionLayer] {
    let cut = try Self.cutBefore(layers.map(\.index), in: graph)
    let executor = try SimulationExecutor(graph: cut, batchSize: options.batchSize, threads: options.threads)
    var batches: [SimulationBatch] = []
    let next = makeBatches()
    while let batch = try next() {
      if isCancelled() { throw EngineError(.cancelled, "bias correction cancelled") }
      let (n, _) = try cut.checkedBatch(batch, for: executor.inputName)
      let values = batch.floats ?? batch.asFloats()
      let state = try values.withUnsafeBufferPointer { all throws(EngineError) -> SimulationBatch in
        guard let base = all.baseAddress else { throw EngineError(.invalidData, "input has no samples") }
        return try executor.begin(base, batch: n, visit: { _ in })
      }
      batches.append(state)
    }
    let position = Dictionary(uniqueKeysWithValues: layers.enumerated().map { ($1.index, $0) })
    let last = layers.map(\.index).max() ?? 0
    var entries: [BiasCorrectionLayer] = []
    let start = done
    for index in 0...last {
      if let p = position[index] {
        let node = graph.nodes[index]
        var means = try GroupedTapMeans(
          for: node, inputShape: try graph.tensor(node.inputs[0]).shape,
          filterShape: try graph.tensor(node.inputs[1]).shape, groupCount: groupCount)
        var first = 0
        for batch in batches {
          guard let view = batch.view(node.inputs[0]) else {
            throw EngineError(.invalidModel, "node '\(node.name)': input '\(node.inputs[0])' is not live")
          }
          means.add(view.values, shape: view.shape, firstSample: first)
          first += view.shape.first ?? 0
        }
        entries.append(try correct(index, means: means, expected: expected[p]))
        try executor.replaceConstant(try graph.tensor(graph.nodes[index].inputs[2]))
      }
      guard index < cut.nodes.count else { continue }
      for batch in batches {
        if isCancelled() { throw EngineError(.cancelled, "bias correction cancelled") }
        try executor.advance(batch, node: graph.nodes[index], at: index, visit: { _ in })
      }
      done = start + sampleCount * (index + 1) / (last + 1)
      progress(done, total)
    }
    done = start + sampleCount
    progress(done, total)
    return entries
  }

  /// The part of `graph` the quantized pass runs: every node before the last of the layers at `indices`
  /// whose input is needed, with the inputs of the layers it leaves out (always the last one) as outputs,
  /// so they stay live; the inputs of the layers it runs are freed after them.
  static func cutBefore(_ indices: [Int], in graph: QuantizedGraph) throws(EngineError) -> QuantizedGraph {
    var cut = try graph.prefix(producing: Set(indices.map { graph.nodes[$0].inputs[0] }))
    let end = cut.nodes.count
    cut.outputs = Set(indices.filter { $0 >= end }.map { graph.nodes[$0].inputs[0] }).sorted()
    try cut.validate()
    return cut
  }

  /// `E[y_o]` of every layer in the float graph, per group of samples: bias plus the filter applied to
  /// the group's tap means (layer, group, channel).
  mutating func floatExpectations(
    _ layers: [Layer], total: Int, _ isCancelled: () -> Bool, _ progress: (Int, Int) -> Void
  ) throws(EngineError) -> [[[Double]]] {
    let measured = try measure(
      lowered.graph, layers: layers.enumerated().map { ($0, $1.float) }, total: total, isCancelled, progress)
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
    if graph.nodes.filter({ $0.inputs.contains(bias.name) }).count > 1 {
      var name = "\(bias.name)#corrected"
      var n = 2
      while graph.tensors[name] != nil {
        name = "\(bias.name)#corrected\(n)"
        n += 1
      }
      replacement.name = name
      graph.nodes[index].inputs[2] = name
    }
    graph.tensors[replacement.name] = replacement
    let step = graph.tensors[node.outputs[0]]?.quantization?.scale
    return BiasCorrectionLayer(
      node: node.name, largestShift: largest, largestShiftSteps: step.map { largest / Double($0) })
  }
}
