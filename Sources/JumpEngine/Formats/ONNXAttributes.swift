import Foundation
import ONNXProto

/// Typed access to the attributes of one ONNX node, with errors that name the node.
struct ONNXAttributes {
  /// The node's (possibly generated) name.
  let nodeName: String
  /// The node's op type.
  let opType: String
  private let byName: [String: Onnx_AttributeProto]

  /// Indexes the attributes of `node`.
  init(_ node: Onnx_NodeProto, name: String) {
    nodeName = name
    opType = node.opType
    var map: [String: Onnx_AttributeProto] = [:]
    for attribute in node.attribute { map[attribute.name] = attribute }
    byName = map
  }

  /// An `invalidModel` error naming the node.
  func error(_ detail: String) -> EngineError {
    EngineError(.invalidModel, "node '\(nodeName)' (\(opType)): \(detail)")
  }

  /// True when the attribute is present.
  func has(_ name: String) -> Bool { byName[name] != nil }

  /// An integer attribute, or `defaultValue` when absent.
  func int(_ name: String, default defaultValue: Int) -> Int {
    guard let a = byName[name] else { return defaultValue }
    return Int(clamping: a.i)
  }

  /// A required integer attribute.
  func requiredInt(_ name: String) throws(EngineError) -> Int {
    guard let a = byName[name] else { throw error("missing required attribute '\(name)'") }
    return Int(clamping: a.i)
  }

  /// An integer-list attribute, or nil when absent.
  func ints(_ name: String) -> [Int]? {
    guard let a = byName[name] else { return nil }
    return a.ints.map { Int(clamping: $0) }
  }

  /// A float attribute, or `defaultValue` when absent.
  func float(_ name: String, default defaultValue: Float) -> Float {
    guard let a = byName[name] else { return defaultValue }
    return a.f
  }

  /// A float attribute, or nil when absent.
  func float(_ name: String) -> Float? { byName[name].map(\.f) }

  /// A string attribute, or `defaultValue` when absent.
  func string(_ name: String, default defaultValue: String) -> String {
    guard let a = byName[name] else { return defaultValue }
    return String(decoding: a.s, as: UTF8.self)
  }

  /// The tensor value of a `Constant` node in any of its attribute forms.
  func constantValue() throws(EngineError) -> Tensor {
    if let a = byName["value"] {
      return try ONNXTensorConversion.tensor(from: a.t, what: "constant '\(nodeName)'")
    }
    if let a = byName["value_float"] { return Tensor(shape: [], floats: [a.f]) }
    if let a = byName["value_floats"] { return Tensor(shape: [a.floats.count], floats: a.floats) }
    if let a = byName["value_int"] { return Tensor(shape: [], int64s: [a.i]) }
    if let a = byName["value_ints"] { return Tensor(shape: [a.ints.count], int64s: a.ints) }
    if byName["sparse_value"] != nil || byName["value_string"] != nil || byName["value_strings"] != nil {
      throw EngineError(
        .unsupportedOp, "node '\(nodeName)': Constant with a sparse or string value is not supported")
    }
    throw error("Constant has no value attribute")
  }
}

extension ONNXAttributes {
  /// Resolves ONNX `auto_pad` / `pads` into explicit pads for a window over `spatial` input sizes.
  func resolvedPads(
    kernel: [Int], strides: [Int], dilations: [Int], spatial: [Dim]
  ) throws(EngineError) -> [Int] {
    let n = kernel.count
    let autoPad = string("auto_pad", default: "NOTSET")
    switch autoPad {
    case "NOTSET", "":
      let pads = ints("pads") ?? Array(repeating: 0, count: 2 * n)
      guard pads.count == 2 * n else { throw error("pads \(pads) do not match a \(n)-d kernel") }
      return pads
    case "VALID":
      return Array(repeating: 0, count: 2 * n)
    case "SAME_UPPER", "SAME_LOWER":
      guard spatial.count == n, strides.count == n, dilations.count == n else {
        throw error("auto_pad \(autoPad) does not match the input rank")
      }
      var begins: [Int] = []
      var ends: [Int] = []
      for i in 0..<n {
        guard let size = spatial[i].value else {
          throw error("auto_pad \(autoPad) needs a fixed spatial size, got '\(spatial[i])'")
        }
        let out = (size + strides[i] - 1) / strides[i]
        let effective = (kernel[i] - 1) * dilations[i] + 1
        let total = max(0, (out - 1) * strides[i] + effective - size)
        let small = total / 2
        begins.append(autoPad == "SAME_UPPER" ? small : total - small)
        ends.append(autoPad == "SAME_UPPER" ? total - small : small)
      }
      return begins + ends
    default:
      throw error("unknown auto_pad '\(autoPad)'")
    }
  }
}
