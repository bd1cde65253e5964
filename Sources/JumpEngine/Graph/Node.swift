/// One operation in a graph: an op applied to named input values, producing named output values.
public struct Node: Hashable, Sendable, CustomStringConvertible {
  /// The node's name, unique in its graph (used in messages).
  public var name: String
  /// The operation and its attributes.
  public var op: Op
  /// Names of the input values, in the op's input order.
  public var inputs: [String]
  /// Names of the output values.
  public var outputs: [String]

  /// Creates a node.
  public init(name: String, op: Op, inputs: [String], outputs: [String]) {
    self.name = name
    self.op = op
    self.inputs = inputs
    self.outputs = outputs
  }

  /// `conv_1 = Conv(x, w, b)`.
  public var description: String {
    "\(outputs.joined(separator: ", ")) = \(op.onnxName)(\(inputs.joined(separator: ", ")))  # \(name)"
  }
}
