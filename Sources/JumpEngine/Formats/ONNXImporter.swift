import Foundation
import ONNXProto
import SwiftProtobuf

/// Loads ONNX models into the engine's graph IR.
///
/// The importer maps the supported operator set onto `Op`, folds shape subgraphs at load time, removes
/// Identity and Dropout, infers every shape, and rejects anything else with a one-line message naming the
/// file, the node and the opset.
public enum ONNXImporter {
  /// Loads an ONNX model from a file, optionally checking it against a pinned SHA-256 (lowercase hex).
  ///
  /// Throws `missingInput` when the file does not exist, `hashMismatch` when `expectedSHA256` differs, and
  /// `invalidModel` or `unsupportedOp` otherwise; every message starts with the file path.
  public static func load(contentsOf url: URL, expectedSHA256: String? = nil) throws(EngineError) -> Model {
    let path = url.path
    guard FileManager.default.fileExists(atPath: path) else {
      throw EngineError.missingInput(path, what: "model")
    }
    let data: Data
    do {
      data = try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
      throw EngineError.io(path, "cannot read the model (\(error.localizedDescription))")
    }
    if let expected = expectedSHA256?.lowercased() {
      let actual = FileDigest.sha256(data)
      guard actual == expected else {
        throw EngineError(.hashMismatch, "\(path): sha256 is \(actual), expected \(expected)")
      }
    }
    return try load(data: data, path: path)
  }

  /// Loads an ONNX model from serialized bytes; `path` (if given) names the source in messages and provenance.
  public static func load(data: Data, path: String? = nil) throws(EngineError) -> Model {
    let label = path ?? "<memory>"
    let proto: Onnx_ModelProto
    do {
      proto = try Onnx_ModelProto(serializedBytes: data)
    } catch {
      throw EngineError.invalidModel(label, "not a valid ONNX model (truncated or corrupt protobuf)")
    }
    do {
      return try convert(proto, data: data, path: path)
    } catch {
      throw error.inFile(label)
    }
  }

  /// Converts a decoded model.
  static func convert(_ proto: Onnx_ModelProto, data: Data, path: String?) throws(EngineError) -> Model {
    guard proto.hasGraph else { throw EngineError(.invalidModel, "the model has no graph") }
    let opset = defaultOpset(proto)
    let g = proto.graph
    var initializers: [String: Tensor] = [:]
    for t in g.initializer {
      guard !t.name.isEmpty else { throw EngineError(.invalidModel, "an initializer has no name") }
      initializers[t.name] = try ONNXTensorConversion.tensor(from: t, what: "initializer '\(t.name)'")
    }
    if let sparse = g.sparseInitializer.first {
      throw EngineError(.unsupportedOp, "sparse initializer '\(sparse.values.name)' is not supported")
    }
    var inputs: [ValueInfo] = []
    for input in g.input where initializers[input.name] == nil {
      inputs.append(try ONNXTensorConversion.valueInfo(input, what: "graph input '\(input.name)'"))
    }
    guard !g.output.isEmpty else { throw EngineError(.invalidModel, "the graph has no outputs") }
    let names = nodeNames(g.node)
    let sorter = TopologicalSort(
      count: g.node.count, inputs: { g.node[$0].input }, outputs: { g.node[$0].output }, name: { names[$0] },
      available: Set(inputs.map(\.name)).union(initializers.keys))
    var builder = ONNXImportBuilder(opset: opset, inputs: inputs, initializers: initializers)
    for index in try sorter.order() { try builder.add(g.node[index], name: names[index]) }
    let outputs = try resolveOutputs(g.output, &builder)
    let graph = Graph(
      name: g.name, inputs: inputs, outputs: outputs, nodes: builder.nodes,
      initializers: builder.initializers,
      opset: opset
    ).removingUnusedInitializers()
    let provenance = ModelProvenance(
      sourcePath: path, sha256: FileDigest.sha256(data), producerName: proto.producerName,
      producerVersion: proto.producerVersion, opset: opset, irVersion: Int(proto.irVersion))
    return try Model.resolving(graph, provenance: provenance)
  }

  /// The default-domain opset; a model without one is read as opset 1 (ONNX's rule).
  static func defaultOpset(_ proto: Onnx_ModelProto) -> Int {
    for entry in proto.opsetImport where entry.domain.isEmpty || entry.domain == "ai.onnx" {
      return Int(entry.version)
    }
    return 1
  }

  /// Node names, generated as `<OpType>_<index>` where the model leaves them empty, made unique.
  static func nodeNames(_ nodes: [Onnx_NodeProto]) -> [String] {
    var used = Set<String>()
    var names: [String] = []
    for (i, node) in nodes.enumerated() {
      var name = node.name.isEmpty ? "\(node.opType)_\(i)" : node.name
      if used.contains(name) {
        var k = 1
        while used.contains("\(name)_\(k)") { k += 1 }
        name = "\(name)_\(k)"
      }
      used.insert(name)
      names.append(name)
    }
    return names
  }

  /// The graph outputs with shapes checked against the declarations; outputs of removed Identity/Dropout
  /// nodes are renamed onto their producer so the output names survive.
  static func resolveOutputs(
    _ declared: [Onnx_ValueInfoProto], _ b: inout ONNXImportBuilder
  ) throws(EngineError)
    -> [ValueInfo]
  {
    let outputNames = Set(declared.map(\.name))
    var result: [ValueInfo] = []
    for output in declared {
      let name = output.name
      let source = b.resolve(name)
      if source != name {
        if b.nodes.contains(where: { $0.outputs.contains(source) }), !outputNames.contains(source) {
          rename(source, to: name, in: &b)
        } else if let tensor = b.initializers[source] {
          b.initializers[name] = tensor
          b.infos[name] = ValueInfo(name: name, fixedShape: tensor.shape, dtype: tensor.dtype)
        } else {
          throw EngineError(
            .unsupportedOp, "graph output '\(name)' only forwards '\(source)' through Identity/Dropout")
        }
      }
      if b.folded[name] != nil {
        throw EngineError(.unsupportedOp, "graph output '\(name)' is a shape computation, not a tensor")
      }
      guard let inferred = b.infos[name] else {
        throw EngineError(.invalidModel, "graph output '\(name)' is not produced by any node")
      }
      if case .tensorType(let t)? = output.type.value, t.hasShape {
        let dims = t.shape.dim
        if dims.count != inferred.shape.count {
          throw EngineError(
            .invalidModel,
            "graph output '\(name)' is declared with rank \(dims.count) but computes \(ValueInfo.format(inferred.shape))"
          )
        }
        for (d, i) in zip(dims, inferred.shape) {
          if case .dimValue(let v)? = d.value, let fixed = i.value, fixed != Int(v) {
            throw EngineError(
              .invalidModel,
              "graph output '\(name)' is declared with dimension \(v) but computes \(ValueInfo.format(inferred.shape))"
            )
          }
        }
      }
      result.append(inferred)
    }
    return result
  }

  /// Renames value `old` to `new` in every emitted node and in the shape table.
  static func rename(_ old: String, to new: String, in b: inout ONNXImportBuilder) {
    for i in b.nodes.indices {
      b.nodes[i].inputs = b.nodes[i].inputs.map { $0 == old ? new : $0 }
      b.nodes[i].outputs = b.nodes[i].outputs.map { $0 == old ? new : $0 }
    }
    if let info = b.infos[old] {
      b.infos[new] = ValueInfo(name: new, shape: info.shape, dtype: info.dtype)
    }
  }
}
