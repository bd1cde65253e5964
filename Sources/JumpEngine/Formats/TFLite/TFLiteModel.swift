/// A `.tflite` file's contents before serialization: one subgraph, its tensors (already in TFLite's NHWC
/// layout, constants as little-endian bytes), operators in execution order, buffers and metadata.
struct TFLiteModel {
  /// One tensor.
  struct Tensor {
    var name: String
    var shape: [Int]
    var type: TFLiteTensorType
    /// Index into `buffers`; 0 (the empty sentinel) for activations.
    var buffer: Int
    var quantization: Quantization?
  }

  /// `QuantizationParameters`: per tensor (one scale) or per slice along `dimension`.
  struct Quantization: Equatable {
    var scales: [Float]
    var zeroPoints: [Int64]
    var dimension: Int
  }

  /// One operator.
  struct Operator {
    var op: TFLiteBuiltinOperator
    var inputs: [Int]
    var outputs: [Int]
    var options: TFLiteBuiltinOptions
  }

  /// The subgraph's name.
  var name: String
  /// The model description (`Model.description`).
  var description: String
  var tensors: [Tensor] = []
  var operators: [Operator] = []
  var inputs: [Int] = []
  var outputs: [Int] = []
  /// Constant data; `buffers[0]` is the empty sentinel every activation points at.
  var buffers: [[UInt8]] = [[]]
  /// `Metadata` entries: a name and the index of the buffer holding its bytes.
  var metadata: [(name: String, buffer: Int)] = []

  /// Appends a buffer and returns its index.
  mutating func addBuffer(_ bytes: [UInt8]) -> Int {
    buffers.append(bytes)
    return buffers.count - 1
  }

  /// Appends a tensor and returns its index.
  mutating func addTensor(_ tensor: Tensor) -> Int {
    tensors.append(tensor)
    return tensors.count - 1
  }

  /// Adds a metadata entry holding `bytes`.
  mutating func addMetadata(name: String, bytes: [UInt8]) {
    metadata.append((name, addBuffer(bytes)))
  }
}
