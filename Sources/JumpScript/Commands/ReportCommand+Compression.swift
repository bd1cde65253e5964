import JumpEngine

/// Gathers the compression report's facts from the session: the models' sizes and costs, the
/// arena plan and latency on the target, and, with `on DATASET`, accuracy and agreement measured
/// on the integer or float executor the model really runs on.
extension ReportCommand {
  /// The model `model` was made from: the session model whose stages are the shortest proper prefix
  /// of its lineage (the loaded original), or nil for an original model.
  static func origin(of model: ModelValue, in state: SessionState) -> ModelValue? {
    state.models
      .filter { candidate in
        candidate.name != model.name && candidate.lineage.count < model.lineage.count
          && !candidate.lineage.isEmpty
          && Array(model.lineage.prefix(candidate.lineage.count)) == candidate.lineage
      }
      .min { $0.lineage.count < $1.lineage.count }
  }

  /// The whole report of `model` against `baseline`.
  static func compressionReport(
    _ model: ModelValue, baseline: ModelValue?, dataset: DatasetValue?, context: CommandContext
  ) throws(CommandError) -> CompressionReport {
    let device = context.state.target
    var after = facts(model, device: device)
    var before = baseline.map { facts($0, device: device) }
    var worst: [CompressionReport.LayerError] = []
    var errorSamples = 0
    if let quantized = model.quantized,
      let (errors, measured) = try layerErrors(
        quantized, state: context.state, environment: context.environment)
    {
      errorSamples = measured
      worst = errors.prefix(5).map {
        .init(tensor: $0.tensor, layer: $0.producer ?? "", decibels: $0.decibels)
      }
      var byLayer: [String: Double] = [:]
      for error in errors {
        guard let producer = error.producer else { continue }
        byLayer[producer] = min(byLayer[producer] ?? .infinity, error.decibels)
      }
      for index in after.layers.indices {
        after.layers[index].sqnrDecibels = byLayer[after.layers[index].name]
      }
    }
    var samples: Int?
    if let dataset {
      let quality = try measure(model, against: baseline, on: dataset, context: context)
      after.accuracy = quality.model.accuracy
      after.agreement = quality.model.agreement
      after.sqnrDecibels = quality.model.sqnrDecibels
      before?.accuracy = quality.baseline?.accuracy
      samples = quality.samples
    }
    var verdicts: [CompressionReport.Verdict] = []
    if let device {
      verdicts.append(
        .init(
          budget: "flash", needed: after.flashBytes,
          available: device.weightsInFlash ? device.flash : device.ram,
          what: "\(after.precision) weights in \(device.weightsInFlash ? "flash" : "RAM")"))
      if let peak = after.peakRAMBytes {
        verdicts.append(.init(budget: "ram", needed: peak, available: device.ram, what: "peak RAM"))
      }
    }
    var report = CompressionReport(
      after: after, before: before, lineage: model.lineage, target: device?.name, verdicts: verdicts,
      worstLayers: worst, dataset: dataset?.name, samples: samples)
    report.errorSamples = errorSamples
    return report
  }

  /// Size, cost, arena and latency of one model as the device would run its exported file.
  static func facts(_ model: ModelValue, device: Device?) -> ModelFacts {
    var facts: ModelFacts
    if let quantized = model.quantized {
      facts = deviceFacts(model, quantized.graph)
    } else {
      let summary = model.summary
      facts = ModelFacts(
        name: model.name, precision: model.precision, parameters: summary.parameterCount,
        nonZeroParameters: summary.nonZeroParameterCount, flashBytes: model.weightBytes,
        macs: summary.totalMACs,
        layers: summary.layers.filter { $0.macs > 0 || $0.parameters > 0 }.map {
          .init(name: $0.name, op: $0.op, parameters: $0.parameters, bytes: 4 * $0.parameters, macs: $0.macs)
        })
    }
    // Lowered once (a float model's lowering is not free) for both the arena plan and the latency.
    guard let (graph, io) = try? deviceGraph(model, io: nil) else { return facts }
    if let plan = try? MemoryPlanner.plan(graph, io: io, for: device) {
      facts.peakRAMBytes = plan.peakBytes
      facts.arenaTimeline = plan.steps.map(\.liveBytes)
    }
    if let device, let estimate = try? LatencyModel.estimate(graph, io: io, on: device) {
      facts.latencySeconds = estimate.seconds
    }
    return facts
  }

  /// A quantized model's facts from its device graph: constants as stored, one layer per device op
  /// with the MACs of the float nodes it computes.
  private static func deviceFacts(_ model: ModelValue, _ graph: QuantizedGraph) -> ModelFacts {
    let macsByNode = Dictionary(
      model.summary.layers.map { ($0.name, $0.macs) }, uniquingKeysWith: { first, _ in first })
    var counted = Set<String>()
    var layers: [ModelFacts.Layer] = []
    var parameters = 0
    var nonZero = 0
    for node in graph.nodes {
      var nodeParameters = 0
      var bytes = 0
      for input in node.inputs {
        guard let tensor = graph.tensors[input], let data = tensor.data, tensor.elementType != .int64,
          counted.insert(input).inserted
        else { continue }
        nodeParameters += data.count
        bytes += QuantizedGraph.storedBytes(count: data.count, type: tensor.elementType)
        nonZero += data.nonZeroCount
      }
      parameters += nodeParameters
      let macs = node.sources.reduce(0) { $0 + (macsByNode[$1] ?? 0) }
      if nodeParameters > 0 || macs > 0 {
        layers.append(
          .init(name: node.name, op: node.op.tfliteName, parameters: nodeParameters, bytes: bytes, macs: macs)
        )
      }
    }
    return ModelFacts(
      name: model.name, precision: model.precision, parameters: parameters, nonZeroParameters: nonZero,
      flashBytes: model.weightBytes, macs: model.summary.totalMACs, layers: layers)
  }

  /// Accuracy of both models, and agreement and output SQNR of `model` against `baseline`, on a dataset.
  private static func measure(
    _ model: ModelValue, against baseline: ModelValue?, on dataset: DatasetValue, context: CommandContext
  ) throws(CommandError) -> (model: OutputComparison, baseline: OutputComparison?, samples: Int) {
    let batchSize = 64
    let threads = context.state.threads
    let baselineExecutor: (any BatchExecutor)?
    do {
      baselineExecutor = try baseline.map { value throws(EngineError) in
        try value.makeExecutor(batchSize: batchSize, threads: threads)
      }
    } catch {
      throw CommandError(error, parameter: "vs")
    }
    var comparison = OutputComparison()
    var baselineComparison = baseline == nil ? nil : OutputComparison()
    let pass = DatasetPass(
      model: model, dataset: dataset, batchSize: batchSize, threads: threads,
      environment: context.environment,
      label: "report")
    let summary = try pass.run { (batch, outputs) throws(CommandError) in
      let labels = batch.y.map { $0.asInt64s().map(Int.init) }
      var reference: Tensor?
      if let baselineExecutor {
        do throws(EngineError) {
          reference = try baselineExecutor.run(input: batch.x, isCancelled: { false }).first
        } catch {
          throw CommandError(error, parameter: "vs")
        }
        if let reference { baselineComparison?.add(outputs: reference, labels: labels, reference: nil) }
      }
      comparison.add(outputs: outputs, labels: labels, reference: reference)
    }
    return (comparison, baselineComparison, summary.samples)
  }
}
