import Foundation
import JumpEngine
import ONNXProto
import SwiftProtobuf

/// A tiny builder of ONNX models for tests, so no test needs an external file.
struct ONNXTestModel {
  var opset: Int = 17
  var irVersion: Int64 = 8
  var nodes: [Onnx_NodeProto] = []
  var initializers: [Onnx_TensorProto] = []
  var inputs: [Onnx_ValueInfoProto] = []
  var outputs: [Onnx_ValueInfoProto] = []
  var includeGraph = true

  init(opset: Int = 17) { self.opset = opset }

  static func valueInfo(_ name: String, _ dims: [Dim]?, type: Int32 = 1) -> Onnx_ValueInfoProto {
    var v = Onnx_ValueInfoProto()
    v.name = name
    var t = Onnx_TypeProto.Tensor()
    t.elemType = type
    if let dims {
      var shape = Onnx_TensorShapeProto()
      shape.dim = dims.map { d in
        var dim = Onnx_TensorShapeProto.Dimension()
        switch d {
        case .fixed(let n): dim.dimValue = Int64(n)
        case .symbolic(let s): dim.dimParam = s
        }
        return dim
      }
      t.shape = shape
    }
    v.type.tensorType = t
    return v
  }

  mutating func input(_ name: String, _ dims: [Dim]) { inputs.append(Self.valueInfo(name, dims)) }
  mutating func input(_ name: String, _ dims: [Int]) { input(name, dims.map { .fixed($0) }) }
  mutating func output(_ name: String, _ dims: [Dim]? = nil) {
    outputs.append(Self.valueInfo(name, dims))
  }

  mutating func weight(_ name: String, _ shape: [Int], fill: (Int) -> Float = { Float($0 % 7) * 0.1 - 0.3 }) {
    let n = shape.reduce(1, *)
    initializers.append(
      ONNXTestModel.rawTensor(name, Tensor(shape: shape, floats: (0..<n).map(fill))))
  }

  mutating func ints(_ name: String, _ values: [Int], shape: [Int]? = nil) {
    initializers.append(
      ONNXTestModel.rawTensor(name, Tensor(shape: shape ?? [values.count], int64s: values.map { Int64($0) })))
  }

  mutating func scalar(_ name: String, _ value: Float) {
    initializers.append(ONNXTestModel.rawTensor(name, Tensor(shape: [], floats: [value])))
  }

  static func rawTensor(_ name: String, _ tensor: Tensor) -> Onnx_TensorProto {
    var t = Onnx_TensorProto()
    t.name = name
    t.dims = tensor.shape.map { Int64($0) }
    switch tensor.dtype {
    case .float32: t.dataType = 1
    case .int64: t.dataType = 7
    case .int32: t.dataType = 6
    case .float64: t.dataType = 11
    case .int8: t.dataType = 3
    case .uint8: t.dataType = 2
    case .bool: t.dataType = 9
    }
    t.rawData = tensor.littleEndianBytes
    return t
  }

  @discardableResult
  mutating func node(
    _ op: String, _ inputs: [String], _ outputs: [String], name: String = "",
    _ attributes: [Onnx_AttributeProto] = []
  ) -> Onnx_NodeProto {
    var n = Onnx_NodeProto()
    n.opType = op
    n.input = inputs
    n.output = outputs
    n.name = name
    n.attribute = attributes
    nodes.append(n)
    return n
  }

  var proto: Onnx_ModelProto {
    var m = Onnx_ModelProto()
    m.irVersion = irVersion
    m.producerName = "unit-test"
    m.producerVersion = "1"
    var o = Onnx_OperatorSetIdProto()
    o.domain = ""
    o.version = Int64(opset)
    m.opsetImport = [o]
    if includeGraph {
      var g = Onnx_GraphProto()
      g.name = "test"
      g.node = nodes
      g.initializer = initializers
      g.input = inputs
      g.output = outputs
      m.graph = g
    }
    return m
  }

  var data: Data { (try? proto.serializedBytes()) ?? Data() }

  func load() throws(EngineError) -> Model { try ONNXImporter.load(data: data, path: "test.onnx") }
}

/// Attribute constructors.
enum Attr {
  static func int(_ name: String, _ v: Int) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .int
    a.i = Int64(v)
    return a
  }
  static func ints(_ name: String, _ v: [Int]) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .ints
    a.ints = v.map { Int64($0) }
    return a
  }
  static func float(_ name: String, _ v: Float) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .float
    a.f = v
    return a
  }
  static func string(_ name: String, _ v: String) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .string
    a.s = Data(v.utf8)
    return a
  }
  static func tensor(_ name: String, _ t: Onnx_TensorProto) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .tensor
    a.t = t
    return a
  }
}

/// A fresh temporary directory for one test.
func temporaryDirectory() -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "jumpengine-tests-\(UUID().uuidString)")
  try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Runs `body` and returns the `EngineError` it throws, or nil.
func engineError(_ body: () throws -> Void) -> EngineError? {
  do {
    try body()
    return nil
  } catch let error as EngineError {
    return error
  } catch {
    return EngineError(.io, "unexpected error type: \(error)")
  }
}
