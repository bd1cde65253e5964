/// The schema names of the builtins the writer emits, for plans and reports.
extension TFLiteBuiltinOperator {
  /// `CONV_2D`, `DEPTHWISE_CONV_2D`, ...
  var schemaName: String {
    switch self {
    case .add: return "ADD"
    case .averagePool2D: return "AVERAGE_POOL_2D"
    case .concatenation: return "CONCATENATION"
    case .conv2D: return "CONV_2D"
    case .depthwiseConv2D: return "DEPTHWISE_CONV_2D"
    case .dequantize: return "DEQUANTIZE"
    case .fullyConnected: return "FULLY_CONNECTED"
    case .logistic: return "LOGISTIC"
    case .maxPool2D: return "MAX_POOL_2D"
    case .mul: return "MUL"
    case .relu: return "RELU"
    case .reluN1To1: return "RELU_N1_TO_1"
    case .relu6: return "RELU6"
    case .reshape: return "RESHAPE"
    case .softmax: return "SOFTMAX"
    case .pad: return "PAD"
    case .mean: return "MEAN"
    case .sub: return "SUB"
    case .quantize: return "QUANTIZE"
    case .hardSwish: return "HARD_SWISH"
    }
  }
}

/// Bytes per element of the file's tensor types, as TFLite Micro sizes arena buffers.
extension TFLiteTensorType {
  /// Bytes of one element (int4 activations do not occur; a packed int4 constant is never planned).
  var elementBytes: Int {
    switch self {
    case .int8, .int4: return 1
    case .int16: return 2
    case .float32, .int32: return 4
    case .int64: return 8
    }
  }
}
