@testable import JumpEngine

/// A `.tflite` file decoded with the test-only FlatBuffers reader into plain values, for assertions.
struct TFLiteTestReader {
  struct Tensor {
    var name: String
    var shape: [Int]
    var type: Int8
    var buffer: Int
    var scales: [Float]
    var zeroPoints: [Int64]
    var quantizedDimension: Int
  }

  struct Operator {
    var code: Int32
    var deprecatedCode: Int8
    /// The operator code's `version`.
    var version: Int32
    var inputs: [Int]
    var outputs: [Int]
    var optionsType: UInt8
    var options: FlatBufferReader.Table?
  }

  var identifier: String
  var version: UInt32
  var description: String?
  var buffers: [[UInt8]]
  var tensors: [Tensor]
  var operators: [Operator]
  var inputs: [Int]
  var outputs: [Int]
  var metadata: [String: String]
  var bufferDataStarts: [Int]

  init(_ bytes: [UInt8]) {
    let reader = FlatBufferReader(bytes: bytes)
    let model = reader.root
    identifier = reader.fileIdentifier
    version = model.scalar(0, default: UInt32(0))
    description = model.string(3)
    let bufferTables = model.tables(4)
    buffers = bufferTables.map { $0.vector(0, of: UInt8.self) ?? [] }
    bufferDataStarts = bufferTables.map { $0.vectorStart(0)?.start ?? 0 }
    let codes = model.tables(1).map {
      (
        code: $0.scalar(3, default: Int32(0)), deprecated: $0.scalar(0, default: Int8(0)),
        version: $0.scalar(2, default: Int32(1))
      )
    }
    let subgraph = model.tables(2)[0]
    tensors = subgraph.tables(0).map { t in
      let q = t.table(4)
      return Tensor(
        name: t.string(3) ?? "", shape: (t.vector(0, of: Int32.self) ?? []).map(Int.init),
        type: t.scalar(1, default: Int8(0)), buffer: Int(t.scalar(2, default: UInt32(0))),
        scales: q?.floats(2) ?? [], zeroPoints: q?.vector(3, of: Int64.self) ?? [],
        quantizedDimension: Int(q?.scalar(6, default: Int32(0)) ?? 0))
    }
    inputs = (subgraph.vector(1, of: Int32.self) ?? []).map(Int.init)
    outputs = (subgraph.vector(2, of: Int32.self) ?? []).map(Int.init)
    operators = subgraph.tables(3).map { o in
      let code = codes[Int(o.scalar(0, default: UInt32(0)))]
      return Operator(
        code: code.code, deprecatedCode: code.deprecated, version: code.version,
        inputs: (o.vector(1, of: Int32.self) ?? []).map(Int.init),
        outputs: (o.vector(2, of: Int32.self) ?? []).map(Int.init),
        optionsType: o.scalar(3, default: UInt8(0)), options: o.table(4))
    }
    var metadata: [String: String] = [:]
    let buffers = self.buffers
    for entry in model.tables(6) {
      metadata[entry.string(0) ?? ""] = String(
        decoding: buffers[Int(entry.scalar(1, default: UInt32(0)))], as: UTF8.self)
    }
    self.metadata = metadata
  }

  /// The operators with builtin code `code`.
  func operators(_ code: TFLiteBuiltinOperator) -> [Operator] {
    operators.filter { $0.code == code.rawValue }
  }

  /// The tensor named `name`.
  func tensor(_ name: String) -> Tensor? { tensors.first { $0.name == name } }
}
