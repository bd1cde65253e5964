/// Where a model came from: the file, its digest and the tool that produced it.
public struct ModelProvenance: Sendable, Equatable {
  /// The path the model was loaded from, if it came from a file.
  public var sourcePath: String?
  /// The lowercase hex SHA-256 of the source bytes.
  public var sha256: String?
  /// The producing tool (`pytorch`, ...), empty when unknown.
  public var producerName: String
  /// The producing tool's version, empty when unknown.
  public var producerVersion: String
  /// The default-domain opset of the source model.
  public var opset: Int
  /// The ONNX IR version of the source model, if it was ONNX.
  public var irVersion: Int?

  /// Creates a provenance record.
  public init(
    sourcePath: String? = nil, sha256: String? = nil, producerName: String = "",
    producerVersion: String = "", opset: Int, irVersion: Int? = nil
  ) {
    self.sourcePath = sourcePath
    self.sha256 = sha256
    self.producerName = producerName
    self.producerVersion = producerVersion
    self.opset = opset
    self.irVersion = irVersion
  }
}

/// A model: a resolved graph plus where it came from.
///
/// Transforms never mutate a model; they return a new one.
public struct Model: Sendable, Equatable {
  /// The graph, sorted and shape-inferred.
  public var graph: Graph
  /// The origin of the model.
  public var provenance: ModelProvenance

  /// Creates a model from a graph that has already been resolved.
  public init(graph: Graph, provenance: ModelProvenance) {
    self.graph = graph
    self.provenance = provenance
  }

  /// Creates a model after sorting the graph and inferring its shapes.
  public static func resolving(_ graph: Graph, provenance: ModelProvenance) throws(EngineError) -> Model {
    Model(graph: try graph.resolved(), provenance: provenance)
  }

  /// The model's inputs.
  public var inputs: [ValueInfo] { graph.inputs }
  /// The model's outputs.
  public var outputs: [ValueInfo] { graph.outputs }
}
