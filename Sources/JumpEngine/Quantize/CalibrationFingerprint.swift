import Crypto
import Foundation

/// Which model a calibration was made for, so `quantize` can refuse ranges measured on another model.
///
/// The fingerprint is a SHA-256 over what determines the activations: the inputs (names, shapes, types),
/// every node in order (name, op with its attributes, inputs, outputs), the outputs, and every initializer
/// (name, shape, type and bytes). Two models with the same fingerprint compute the same values; a pruned
/// or fine-tuned copy of a model gets a different one even though it keeps the source file's provenance.
public struct CalibrationModelIdentity: Sendable, Equatable {
  /// The lowercase hex SHA-256 of the graph (see the type's documentation).
  public var fingerprint: String
  /// The SHA-256 of the file the model was loaded from, if any.
  public var sourceSHA256: String?
  /// The file the model was loaded from, if any.
  public var sourcePath: String?

  /// Creates an identity from its parts.
  public init(fingerprint: String, sourceSHA256: String? = nil, sourcePath: String? = nil) {
    self.fingerprint = fingerprint
    self.sourceSHA256 = sourceSHA256
    self.sourcePath = sourcePath
  }

  /// The identity of `model`.
  public init(_ model: Model) {
    self.init(
      fingerprint: Self.fingerprint(model.graph), sourceSHA256: model.provenance.sha256,
      sourcePath: model.provenance.sourcePath)
  }

  /// Whether this identity describes `model` (compares fingerprints).
  public func matches(_ model: Model) -> Bool { fingerprint == Self.fingerprint(model.graph) }

  /// The fingerprint of a graph.
  public static func fingerprint(_ graph: Graph) -> String {
    var hasher = SHA256()
    func add(_ text: String) { hasher.update(data: Data((text + "\n").utf8)) }
    for input in graph.inputs { add("input \(input.name) \(input.dtype) \(ValueInfo.format(input.shape))") }
    for node in graph.nodes {
      var op = ""
      dump(node.op, to: &op)
      add("node \(node.name) \(node.inputs) \(node.outputs) \(op)")
    }
    for output in graph.outputs { add("output \(output.name)") }
    for name in graph.initializers.keys.sorted() {
      guard let tensor = graph.initializers[name] else { continue }
      add("initializer \(name) \(tensor.dtype) \(tensor.shape)")
      hasher.update(data: tensor.littleEndianBytes)
    }
    let digits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    for byte in hasher.finalize() {
      hex.append(digits[Int(byte >> 4)])
      hex.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: hex, as: UTF8.self)
  }
}
