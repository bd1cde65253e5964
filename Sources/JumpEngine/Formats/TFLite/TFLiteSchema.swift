/// The numbers of the TFLite schema (`schema.fbs`) the writer uses: enum values, union tags and the slot of
/// every table field it writes. Slots are field indices in declaration order; a union field takes two slots,
/// its type tag then its value.
enum TFLiteSchema {
  /// `Model.version`, which TFLite Micro requires.
  static let version: UInt32 = 3
  /// The file identifier.
  static let fileIdentifier = "TFL3"
  /// What `OperatorCode.deprecated_builtin_code` holds for codes that do not fit in a byte.
  static let placeholderForGreaterOpCodes: Int8 = 127

  /// `Model` fields.
  enum Model {
    static let version = 0, operatorCodes = 1, subgraphs = 2, description = 3, buffers = 4
    static let metadata = 6
  }
  /// `SubGraph` fields.
  enum SubGraph {
    static let tensors = 0, inputs = 1, outputs = 2, operators = 3, name = 4
  }
  /// `Tensor` fields.
  enum Tensor {
    static let shape = 0, type = 1, buffer = 2, name = 3, quantization = 4
  }
  /// `Buffer` fields.
  enum Buffer {
    static let data = 0
  }
  /// `Metadata` fields.
  enum Metadata {
    static let name = 0, buffer = 1
  }
  /// `OperatorCode` fields.
  enum OperatorCode {
    static let deprecatedBuiltinCode = 0, version = 2, builtinCode = 3
  }
  /// `Operator` fields.
  enum Operator {
    static let opcodeIndex = 0, inputs = 1, outputs = 2, builtinOptionsType = 3, builtinOptions = 4
  }
  /// `QuantizationParameters` fields.
  enum Quantization {
    static let scale = 2, zeroPoint = 3, quantizedDimension = 6
  }
}

/// `TensorType`: the element types the writer emits.
enum TFLiteTensorType: Int8, Sendable {
  case float32 = 0
  case int32 = 2
  case int64 = 4
  case int16 = 7
  case int8 = 9
  case int4 = 17

  /// The file type of a device-graph element type.
  init(_ type: QuantizedElementType) {
    switch type {
    case .float32: self = .float32
    case .int8: self = .int8
    case .int4: self = .int4
    case .int16: self = .int16
    case .int32: self = .int32
    case .int64: self = .int64
    }
  }
}

/// `BuiltinOperator`: the operators the writer emits.
enum TFLiteBuiltinOperator: Int32, Sendable, Hashable {
  case add = 0
  case averagePool2D = 1
  case concatenation = 2
  case conv2D = 3
  case depthwiseConv2D = 4
  case dequantize = 6
  case fullyConnected = 9
  case logistic = 14
  case maxPool2D = 17
  case mul = 18
  case relu = 19
  case reluN1To1 = 20
  case relu6 = 21
  case reshape = 22
  case softmax = 25
  case pad = 34
  case mean = 40
  case sub = 41
  case quantize = 114
  case hardSwish = 117
}

/// `Padding`.
enum TFLitePadding: Int8, Sendable {
  case same = 0
  case valid = 1
}

/// `ActivationFunctionType`.
enum TFLiteActivation: Int8, Sendable {
  case none = 0
  case relu = 1
  case reluN1To1 = 2
  case relu6 = 3

  /// The fused activation for a device op's; a clamp TFLite has no name for is written as NONE, because
  /// the output's quantization parameters already saturate at its bounds.
  init(_ activation: OutputActivation) {
    switch activation {
    case .none, .clamp: self = .none
    case .relu: self = .relu
    case .relu6: self = .relu6
    case .reluN1To1: self = .reluN1To1
    }
  }
}
