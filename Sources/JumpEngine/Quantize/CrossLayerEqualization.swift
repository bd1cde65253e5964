import Foundation

/// Cross-layer equalization (Nagel et al. 2019, REFERENCES §5): a float `Model -> Model` that evens out the
/// per-channel weight ranges of consecutive convolutions so one scale per tensor fits them all.
///
/// For `W2 · f(W1 x + b1)` with `f(s·x) = s·f(x)` for `s > 0`, dividing output channel `i` of the first layer
/// (weights and bias) by `s_i` and multiplying input channel `i` of the second by `s_i` computes the same
/// function. With `r1_i` the range (max |w|) of output channel `i` of `W1` and `r2_i` that of input channel
/// `i` of `W2`, `s_i = sqrt(r1_i / r2_i)` makes both `sqrt(r1_i · r2_i)`. For conv → depthwise → conv
/// triples (depth multiplier 1) the cube-root form makes all three `∛(r1_i · r2_i · r3_i)`, as AIMET does.
/// BatchNormalization is folded into the convolutions first.
///
/// Layers are linked when the first one's output reaches the second alone through Relu, MaxPool,
/// AveragePool or GlobalAveragePool (each acts per channel and is positively homogeneous), never through a
/// graph output or a value something else reads. Pairs joined by Relu6 or any other Clip are skipped:
/// `relu6(x / s) ≠ relu6(x) / s`, so scaling would move the clip point of each channel, which a fused
/// activation (one clamp per tensor) cannot express. AIMET replaces ReLU6 by ReLU before equalizing and
/// advises checking the float accuracy afterwards; that changes the model, while this pass must keep it
/// computing the same outputs, so it leaves such pairs alone and names them in its report. Gemm layers
/// are not equalized. Channels with a zero range keep scale 1. Weights shared with other nodes are left
/// untouched.
public enum CrossLayerEqualization {
  /// The equalized model (BatchNormalization folded) and what was done.
  public static func equalize(
    _ model: Model
  ) throws(EngineError) -> (model: Model, report: EqualizationReport) {
    let (folded, foldedCount) = try BatchNormFolding.fold(model)
    var graph = folded.graph
    let (links, skipped) = links(in: graph)
    var report = EqualizationReport(groups: [], skipped: skipped, foldedBatchNorms: foldedCount)
    var used = Set<Int>()
    for (position, link) in links.enumerated() where !used.contains(position) {
      used.insert(position)
      var chain = [link.first, link.second]
      if let next = links.firstIndex(where: { $0.first == link.second }), !used.contains(next),
        let middle = EqualizedLayer(graph.nodes[link.second], in: graph), middle.isDepthwise,
        middle.multiplier == 1
      {
        used.insert(next)
        chain.append(links[next].second)
      }
      var layers: [EqualizedLayer] = []
      for index in chain {
        guard let layer = EqualizedLayer(graph.nodes[index], in: graph) else { break }
        layers.append(layer)
      }
      guard layers.count == chain.count else { continue }
      equalize(&layers)
      for layer in layers { layer.store(in: &graph) }
      report.groups.append(chain.map { graph.nodes[$0].name })
    }
    guard !report.groups.isEmpty else { return (folded, report) }
    return (Model(graph: graph, provenance: folded.provenance), report)
  }

  /// Scales channels of a pair (square root) or a conv → depthwise → conv triple (cube root).
  static func equalize(_ layers: inout [EqualizedLayer]) {
    let channels = layers[0].outputChannels
    for i in 0..<channels {
      if layers.count == 2 {
        let r1 = layers[0].outputRange(i)
        let r2 = layers[1].inputRange(i)
        guard r1 > 0, r2 > 0, r1.isFinite, r2.isFinite else { continue }
        let s = (r1 / r2).squareRoot()
        layers[0].scaleOutput(i, by: 1 / s)
        layers[1].scaleInput(i, by: s)
      } else {
        let r1 = layers[0].outputRange(i)
        let r2 = layers[1].outputRange(i)
        let r3 = layers[2].inputRange(i)
        guard r1 > 0, r2 > 0, r3 > 0, r1.isFinite, r2.isFinite, r3.isFinite else { continue }
        let cube = Float(cbrt(Double(r1) * Double(r2) * Double(r3)))
        let s12 = r1 / cube
        let s23 = cube / r3
        layers[0].scaleOutput(i, by: 1 / s12)
        layers[1].scaleInput(i, by: s12)
        layers[1].scaleOutput(i, by: 1 / s23)
        layers[2].scaleInput(i, by: s23)
      }
    }
  }

  /// Consecutive convolutions that may be equalized (node indices), and descriptions of pairs skipped.
  static func links(in graph: Graph) -> (links: [(first: Int, second: Int)], skipped: [String]) {
    let outputs = Set(graph.outputs.map(\.name))
    var readers: [String: [Int]] = [:]
    for (index, node) in graph.nodes.enumerated() {
      for input in node.inputs { readers[input, default: []].append(index) }
    }
    var links: [(first: Int, second: Int)] = []
    var skipped: [String] = []
    for (index, node) in graph.nodes.enumerated() {
      guard let first = EqualizedLayer(node, in: graph), first.isExclusive(readers) else { continue }
      var value = node.outputs[0]
      walk: while !outputs.contains(value), let list = readers[value], list.count == 1,
        graph.nodes[list[0]].inputs.first == value
      {
        let reader = graph.nodes[list[0]]
        switch reader.op {
        case .relu, .maxPool, .averagePool, .globalAveragePool:
          value = reader.outputs[0]
        case .conv:
          guard let second = EqualizedLayer(reader, in: graph), second.isExclusive(readers),
            second.inputChannels == first.outputChannels
          else { break walk }
          links.append((index, list[0]))
          break walk
        case .clip:
          skipped.append(
            "'\(node.name)' -> '\(reader.name)' (\(reader.op.onnxName)): clipping is not positively homogeneous"
          )
          break walk
        default:
          break walk
        }
      }
    }
    return (links, skipped)
  }
}

/// What cross-layer equalization did.
public struct EqualizationReport: Sendable, Equatable {
  /// The equalized pairs and triples, by node name, in graph order.
  public var groups: [[String]]
  /// Why consecutive layers were left alone (Relu6 or Clip between them).
  public var skipped: [String]
  /// BatchNormalizations folded into convolutions first.
  public var foldedBatchNorms: Int

  /// Creates a report.
  public init(groups: [[String]], skipped: [String], foldedBatchNorms: Int) {
    self.groups = groups
    self.skipped = skipped
    self.foldedBatchNorms = foldedBatchNorms
  }
}

/// One Conv's weights and bias while they are rescaled, channel by channel.
struct EqualizedLayer {
  /// The weight initializer's name.
  let weightName: String
  /// The bias initializer's name, nil for a Conv without bias.
  let biasName: String?
  /// OIHW shape.
  let shape: [Int]
  /// Groups: 1, or the input channel count for depthwise.
  let group: Int
  var weights: [Float]
  var bias: [Float]?

  /// The layer of a Conv with a float constant OIHW filter, group 1 or depthwise; nil otherwise.
  init?(_ node: Node, in graph: Graph) {
    guard case .conv(let a) = node.op, node.inputs.count >= 2, node.outputs.count == 1,
      let w = graph.initializers[node.inputs[1]], w.rank == 4, w.dtype == .float32
    else { return nil }
    let inputChannels = w.shape[1] * a.group
    guard a.group == 1 || (a.group == inputChannels && w.shape[1] == 1 && w.shape[0] % a.group == 0) else {
      return nil
    }
    weightName = node.inputs[1]
    shape = w.shape
    group = a.group
    weights = w.asFloats()
    if node.inputs.count > 2, let b = graph.initializers[node.inputs[2]], b.count == w.shape[0] {
      biasName = node.inputs[2]
      bias = b.asFloats()
    } else if node.inputs.count > 2 {
      return nil
    } else {
      biasName = nil
      bias = nil
    }
  }

  var isDepthwise: Bool { group > 1 }
  var outputChannels: Int { shape[0] }
  var inputChannels: Int { shape[1] * group }
  /// Output channels per input channel of a depthwise layer.
  var multiplier: Int { isDepthwise ? shape[0] / group : 1 }
  /// Elements of one output channel's filter.
  var rowLength: Int { shape[1] * shape[2] * shape[3] }

  /// True when no other node reads this layer's weights or bias.
  func isExclusive(_ readers: [String: [Int]]) -> Bool {
    readers[weightName]?.count == 1 && biasName.map { readers[$0]?.count == 1 } ?? true
  }

  /// max |w| over output channel `i`.
  func outputRange(_ i: Int) -> Float {
    weights[(i * rowLength)..<((i + 1) * rowLength)].reduce(0) { max($0, abs($1)) }
  }

  /// max |w| over everything input channel `i` feeds.
  func inputRange(_ i: Int) -> Float {
    if isDepthwise {
      return ((i * multiplier)..<((i + 1) * multiplier)).reduce(0) { max($0, outputRange($1)) }
    }
    let taps = shape[2] * shape[3]
    var range: Float = 0
    for o in 0..<shape[0] {
      let start = o * rowLength + i * taps
      for k in start..<(start + taps) { range = max(range, abs(weights[k])) }
    }
    return range
  }

  /// Multiplies output channel `i` (filter and bias) by `factor`.
  mutating func scaleOutput(_ i: Int, by factor: Float) {
    for k in (i * rowLength)..<((i + 1) * rowLength) { weights[k] *= factor }
    bias?[i] *= factor
  }

  /// Multiplies every weight input channel `i` feeds by `factor` (the bias is unchanged).
  mutating func scaleInput(_ i: Int, by factor: Float) {
    if isDepthwise {
      for o in (i * multiplier)..<((i + 1) * multiplier) {
        for k in (o * rowLength)..<((o + 1) * rowLength) { weights[k] *= factor }
      }
      return
    }
    let taps = shape[2] * shape[3]
    for o in 0..<shape[0] {
      let start = o * rowLength + i * taps
      for k in start..<(start + taps) { weights[k] *= factor }
    }
  }

  /// Writes the weights and bias back to their initializers.
  func store(in graph: inout Graph) {
    graph.initializers[weightName] = Tensor(shape: shape, floats: weights)
    if let biasName, let bias { graph.initializers[biasName] = Tensor(shape: [bias.count], floats: bias) }
  }
}
