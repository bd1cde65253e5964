/// The closed set of operators a `QuantizedGraph` holds, one case per TFLite builtin JumpStation exports.
///
/// Operand order follows TFLite: CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED read `input, filter, bias`
/// (the bias is always present); the binary ops read two tensors, either of which may be a constant;
/// everything else reads its data inputs only. Axes are in the graph's logical NCHW layout; the exporter maps
/// them to NHWC. `float` carries an original float node kept out of quantization (`skip=`).
public enum QuantizedOp: Sendable, Hashable, CustomStringConvertible {
  /// CONV_2D: filter OIHW `[out, in, kh, kw]`.
  case conv2D(Conv2DOptions)
  /// DEPTHWISE_CONV_2D: filter `[channels × multiplier, 1, kh, kw]` (TFLite 1HWO at export).
  case depthwiseConv2D(Conv2DOptions)
  /// FULLY_CONNECTED: filter `[out, in]` on a rank-2 input.
  case fullyConnected(activation: OutputActivation)
  /// ADD with broadcasting.
  case add(activation: OutputActivation)
  /// SUB with broadcasting.
  case sub(activation: OutputActivation)
  /// MUL with broadcasting.
  case mul(activation: OutputActivation)
  /// AVERAGE_POOL_2D.
  case averagePool2D(Pool2DOptions)
  /// MAX_POOL_2D.
  case maxPool2D(Pool2DOptions)
  /// MEAN over `axes` (logical NCHW axes, normalized non-negative).
  case mean(axes: [Int], keepDims: Bool)
  /// RESHAPE to `newShape` (the output shape; its first dimension is the batch).
  ///
  /// The element order is NCHW's. Where the input has spatial extent and channels are merged with it
  /// (Flatten of `[N, C, H, W]` with `H·W > 1`), NHWC order differs: the exporter must permute the reader's
  /// weights (or transpose); after a global pool (`H = W = 1`) the orders agree.
  case reshape(newShape: [Int])
  /// SOFTMAX over the channel axis (the last axis in TFLite's NHWC).
  case softmax(beta: Float)
  /// LOGISTIC (sigmoid).
  case logistic
  /// HARD_SWISH: `x · relu6(x + 3) / 6`.
  case hardSwish
  /// CONCATENATION along `axis` (logical NCHW, non-negative, never the batch).
  case concatenation(axis: Int, activation: OutputActivation)
  /// PAD with zeros (the zero point when quantized): `pads` holds all begins, then all ends, per axis.
  case pad(pads: [Int])
  /// QUANTIZE: float to integer, or integer to integer with new parameters (requantize).
  case quantize
  /// DEQUANTIZE: integer to float.
  case dequantize
  /// A float node kept as it was (a layer skipped by the user), run by the float kernels.
  case float(Node)

  /// The TFLite builtin name (`CONV_2D`, ...); `FLOAT(<onnx op>)` for a float fallback.
  public var tfliteName: String {
    switch self {
    case .conv2D: return "CONV_2D"
    case .depthwiseConv2D: return "DEPTHWISE_CONV_2D"
    case .fullyConnected: return "FULLY_CONNECTED"
    case .add: return "ADD"
    case .sub: return "SUB"
    case .mul: return "MUL"
    case .averagePool2D: return "AVERAGE_POOL_2D"
    case .maxPool2D: return "MAX_POOL_2D"
    case .mean: return "MEAN"
    case .reshape: return "RESHAPE"
    case .softmax: return "SOFTMAX"
    case .logistic: return "LOGISTIC"
    case .hardSwish: return "HARD_SWISH"
    case .concatenation: return "CONCATENATION"
    case .pad: return "PAD"
    case .quantize: return "QUANTIZE"
    case .dequantize: return "DEQUANTIZE"
    case .float(let node): return "FLOAT(\(node.op.onnxName))"
    }
  }

  /// The fused activation of ops that have one, `.none` for the others.
  public var activation: OutputActivation {
    switch self {
    case .conv2D(let o), .depthwiseConv2D(let o): return o.activation
    case .fullyConnected(let a), .add(let a), .sub(let a), .mul(let a): return a
    case .concatenation(_, let a): return a
    case .averagePool2D(let o), .maxPool2D(let o): return o.activation
    default: return .none
    }
  }

  /// True for ops whose filter is a weight tensor quantized symmetrically (input 1) with a bias (input 2).
  public var hasWeights: Bool {
    switch self {
    case .conv2D, .depthwiseConv2D, .fullyConnected: return true
    default: return false
    }
  }

  /// True for ops TFLite requires to keep their input's quantization parameters on the output.
  public var keepsInputParameters: Bool {
    switch self {
    case .reshape, .averagePool2D, .maxPool2D, .pad, .concatenation: return true
    default: return false
    }
  }

  /// The TFLite name.
  public var description: String { tfliteName }
}
