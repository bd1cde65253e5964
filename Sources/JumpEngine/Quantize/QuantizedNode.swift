/// One operator of a `QuantizedGraph`, with where it came from in the float model.
public struct QuantizedNode: Sendable, Hashable, CustomStringConvertible {
  /// A unique name (the first source node's name, suffixed when one source node lowers to several).
  public var name: String
  /// The operator and its options.
  public var op: QuantizedOp
  /// Input tensor names in TFLite operand order.
  public var inputs: [String]
  /// Output tensor names.
  public var outputs: [String]
  /// The float nodes this one computes (a conv with its folded BatchNormalization and fused Relu, ...).
  public var sources: [String]
  /// The ONNX op types of `sources`, in the same order (for `skip=` by op type and for reports).
  public var sourceOps: [String]

  /// Creates a node.
  public init(
    name: String, op: QuantizedOp, inputs: [String], outputs: [String], sources: [String] = [],
    sourceOps: [String] = []
  ) {
    self.name = name
    self.op = op
    self.inputs = inputs
    self.outputs = outputs
    self.sources = sources
    self.sourceOps = sourceOps
  }

  /// `y = CONV_2D(x, w, b)  # conv1 (Conv+BatchNormalization+Relu)`.
  public var description: String {
    let origin = sourceOps.isEmpty ? "" : " (\(sourceOps.joined(separator: "+")))"
    return
      "\(outputs.joined(separator: ", ")) = \(op.tfliteName)(\(inputs.joined(separator: ", ")))  # \(name)\(origin)"
  }
}
