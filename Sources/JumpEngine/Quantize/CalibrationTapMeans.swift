/// The float pass of bias correction, taken from the calibration pass: the tap means (`GroupedTapMeans`)
/// of every weighted layer's input on the first samples, which the calibration runs through the float
/// model anyway. With them, `BiasCorrection` skips its own float pass over the same samples.
///
/// Layers are those of the model's lowered graph (`Lowering.lower`) whose input is a value of the float
/// model, keyed by the lowered node's name; bias correction uses an entry only for the same node (op and
/// attributes, input) reading an input of the same shape, on samples with the same digest, in as many
/// groups as it forms, so a quantization of another lowering or other samples measures for itself.
public struct CalibrationTapMeans: Sendable, Equatable {
  /// How many leading samples the means cover.
  public var sampleCount: Int
  /// `CalibrationReference`'s digest of those samples.
  public var inputDigest: UInt64
  /// The measured layers by lowered node name.
  var layers: [String: Layer]

  /// One layer: the lowered node, its input's shape, and the tap means.
  struct Layer: Sendable, Equatable {
    var node: QuantizedNode
    var inputShape: [Int]
    var means: GroupedTapMeans
  }

  /// The means of `node`'s input when they were measured for this node and input shape in `groupCount`
  /// groups.
  func means(for node: QuantizedNode, inputShape: [Int], groupCount: Int) -> GroupedTapMeans? {
    guard let layer = layers[node.name], layer.node.op == node.op,
      layer.node.inputs.first == node.inputs.first,
      layer.inputShape == inputShape, layer.means.groups.count == groupCount
    else { return nil }
    return layer.means
  }
}

/// Accumulates `CalibrationTapMeans` during the calibration's first batch, when that batch holds exactly
/// the wanted samples (as `CalibrationReferenceCollector` keeps its outputs).
struct CalibrationTapMeansCollector {
  /// Samples wanted (0 for none).
  let wanted: Int
  /// The accumulating layers.
  private var layers: [String: CalibrationTapMeans.Layer] = [:]
  /// Layer names by the float value they read.
  private var readers: [String: [String]] = [:]
  /// True while the first batch runs.
  private var inFirstBatch = false
  /// Batches begun.
  private var batches = 0
  /// The result, once the first batch is done.
  private(set) var result: CalibrationTapMeans?

  /// Prepares the layers of `model`'s lowered graph (none when the model cannot be lowered, e.g. an op
  /// quantization does not support: it then has nothing to correct either).
  init(model: Model, wanted: Int, groupCount: Int = BiasCorrectionOptions().groups) {
    self.wanted = wanted
    guard wanted > 0, let lowered = try? Lowering.lower(model) else { return }
    let graph = lowered.graph
    for node in graph.nodes where node.op.hasWeights && node.inputs.count == 3 {
      guard let input = graph.tensors[node.inputs[0]], let filter = graph.tensors[node.inputs[1]],
        let means = try? GroupedTapMeans(
          for: node, inputShape: input.shape, filterShape: filter.shape, groupCount: groupCount)
      else { continue }
      layers[node.name] = .init(node: node, inputShape: input.shape, means: means)
      readers[node.inputs[0], default: []].append(node.name)
    }
  }

  /// Called before each batch with its sample count.
  mutating func begin(batch: Int) {
    inFirstBatch = batches == 0 && !layers.isEmpty && batch == wanted
    batches += 1
  }

  /// Adds the value `view` shows when a layer reads it and the first batch is running.
  mutating func observe(_ view: ActivationView) {
    guard inFirstBatch, let names = readers[view.name] else { return }
    for name in names { layers[name]?.means.add(view.values, shape: view.shape, firstSample: 0) }
  }

  /// Called after each batch with its input: the first batch's means become the result.
  mutating func end(input: Tensor) {
    guard inFirstBatch else { return }
    inFirstBatch = false
    result = CalibrationTapMeans(
      sampleCount: wanted, inputDigest: CalibrationReference.digest(of: input), layers: layers)
    layers = [:]
  }
}
