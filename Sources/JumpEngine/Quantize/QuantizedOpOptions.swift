/// The activation an arithmetic op applies to its result, as TFLite fuses it (`fused_activation_function`).
///
/// TFLite's integer kernels do not compute an activation: they clamp the requantized output to the range the
/// activation allows (`CalculateActivationRangeQuantized`), and the quantizer folds the same range into the
/// output parameters. `clamp` covers ONNX `Clip(min, max)` bounds TFLite has no enum value for; the exporter
/// writes it as NONE, since the output parameters chosen from the clamped range already saturate there.
public enum OutputActivation: Sendable, Hashable, CustomStringConvertible {
  /// No activation.
  case none
  /// `max(x, 0)`.
  case relu
  /// `min(max(x, 0), 6)`.
  case relu6
  /// `min(max(x, -1), 1)`.
  case reluN1To1
  /// `min(max(x, low), high)` for other bounds (either side may be infinite).
  case clamp(low: Float, high: Float)

  /// The activation for clamp bounds, preferring TFLite's named cases.
  public init(low: Float, high: Float) {
    switch (low, high) {
    case (-Float.infinity, Float.infinity): self = .none
    case (0, Float.infinity): self = .relu
    case (0, 6): self = .relu6
    case (-1, 1): self = .reluN1To1
    default: self = .clamp(low: low, high: high)
    }
  }

  /// The interval the activation's output lies in.
  public var bounds: (low: Float, high: Float) {
    switch self {
    case .none: return (-.infinity, .infinity)
    case .relu: return (0, .infinity)
    case .relu6: return (0, 6)
    case .reluN1To1: return (-1, 1)
    case .clamp(let low, let high): return (low, high)
    }
  }

  /// Clamps one value.
  @inline(__always)
  func apply(_ v: Float) -> Float {
    let (low, high) = bounds
    return v < low ? low : (v > high ? high : v)
  }

  /// `NONE`, `RELU`, `RELU6`, `RELU_N1_TO_1`, or `CLAMP(a, b)`.
  public var description: String {
    switch self {
    case .none: return "NONE"
    case .relu: return "RELU"
    case .relu6: return "RELU6"
    case .reluN1To1: return "RELU_N1_TO_1"
    case .clamp(let low, let high): return "CLAMP(\(low), \(high))"
    }
  }
}

/// Geometry of CONV_2D and DEPTHWISE_CONV_2D, with padding kept explicit.
///
/// ONNX pads are arbitrary; TFLite knows only SAME and VALID. The exporter decides which one the explicit
/// pads equal for the tensor sizes at hand, or inserts a PAD, so nothing is lost here.
public struct Conv2DOptions: Sendable, Hashable {
  /// `[top, left, bottom, right]`.
  public var pads: [Int]
  /// `[strideH, strideW]`.
  public var strides: [Int]
  /// `[dilationH, dilationW]`.
  public var dilations: [Int]
  /// Output channels per input channel (DEPTHWISE_CONV_2D only; 1 for CONV_2D).
  public var depthMultiplier: Int
  /// The fused activation.
  public var activation: OutputActivation

  /// Creates conv options.
  public init(
    pads: [Int] = [0, 0, 0, 0], strides: [Int] = [1, 1], dilations: [Int] = [1, 1], depthMultiplier: Int = 1,
    activation: OutputActivation = .none
  ) {
    self.pads = pads
    self.strides = strides
    self.dilations = dilations
    self.depthMultiplier = depthMultiplier
    self.activation = activation
  }
}

/// Geometry of AVERAGE_POOL_2D and MAX_POOL_2D, with padding kept explicit.
///
/// Padded cells never count: max ignores them and the average divides by the number of real cells, which is
/// TFLite's SAME-padding behaviour (ONNX `count_include_pad=0`). Lowering turns `count_include_pad=1` into an
/// explicit PAD followed by an unpadded pool.
public struct Pool2DOptions: Sendable, Hashable {
  /// `[kernelH, kernelW]`.
  public var kernel: [Int]
  /// `[strideH, strideW]`.
  public var strides: [Int]
  /// `[top, left, bottom, right]`.
  public var pads: [Int]
  /// The fused activation (always NONE from lowering; TFLite allows one).
  public var activation: OutputActivation

  /// Creates pool options.
  public init(
    kernel: [Int], strides: [Int], pads: [Int] = [0, 0, 0, 0], activation: OutputActivation = .none
  ) {
    self.kernel = kernel
    self.strides = strides
    self.pads = pads
    self.activation = activation
  }
}
