/// Attributes of a convolution, with padding already resolved to explicit values.
public struct ConvAttributes: Hashable, Sendable {
  /// The spatial kernel size, e.g. `[3, 3]`.
  public var kernel: [Int]
  /// The stride per spatial axis.
  public var strides: [Int]
  /// Padding as ONNX orders it: all begins, then all ends (`[top, left, bottom, right]` in 2-D).
  public var pads: [Int]
  /// The dilation per spatial axis.
  public var dilations: [Int]
  /// The number of groups (`group == C_in == C_out` for depthwise).
  public var group: Int

  /// Creates convolution attributes; omitted strides, pads and dilations take the ONNX defaults.
  public init(
    kernel: [Int], strides: [Int]? = nil, pads: [Int]? = nil, dilations: [Int]? = nil, group: Int = 1
  ) {
    self.kernel = kernel
    self.strides = strides ?? Array(repeating: 1, count: kernel.count)
    self.pads = pads ?? Array(repeating: 0, count: 2 * kernel.count)
    self.dilations = dilations ?? Array(repeating: 1, count: kernel.count)
    self.group = group
  }
}

/// Attributes of `Gemm`: `Y = alpha * op(A) * op(B) + beta * C`.
public struct GemmAttributes: Hashable, Sendable {
  /// The factor on the product.
  public var alpha: Float
  /// The factor on `C`.
  public var beta: Float
  /// Whether `A` is transposed.
  public var transA: Bool
  /// Whether `B` is transposed.
  public var transB: Bool

  /// Creates Gemm attributes (ONNX defaults: 1, 1, false, false).
  public init(alpha: Float = 1, beta: Float = 1, transA: Bool = false, transB: Bool = false) {
    self.alpha = alpha
    self.beta = beta
    self.transA = transA
    self.transB = transB
  }
}

/// Attributes of `MaxPool` and `AveragePool`, with padding resolved to explicit values.
public struct PoolAttributes: Hashable, Sendable {
  /// The spatial window size.
  public var kernel: [Int]
  /// The stride per spatial axis.
  public var strides: [Int]
  /// Padding, all begins then all ends.
  public var pads: [Int]
  /// The dilation per spatial axis (MaxPool only; 1 for AveragePool).
  public var dilations: [Int]
  /// Whether the output size rounds up (windows starting in the right padding are dropped).
  public var ceilMode: Bool
  /// Whether padded cells count in the average (AveragePool only).
  public var countIncludePad: Bool

  /// Creates pooling attributes; omitted strides, pads and dilations take the ONNX defaults.
  public init(
    kernel: [Int], strides: [Int]? = nil, pads: [Int]? = nil, dilations: [Int]? = nil,
    ceilMode: Bool = false, countIncludePad: Bool = false
  ) {
    self.kernel = kernel
    self.strides = strides ?? Array(repeating: 1, count: kernel.count)
    self.pads = pads ?? Array(repeating: 0, count: 2 * kernel.count)
    self.dilations = dilations ?? Array(repeating: 1, count: kernel.count)
    self.ceilMode = ceilMode
    self.countIncludePad = countIncludePad
  }
}

/// Output size of a sliding window along one axis (convolution or pooling).
///
/// `floor((in + padBegin + padEnd - effectiveKernel) / stride) + 1`, or the ceiling with `ceilMode`, in which
/// case a last window that would start inside the end padding is dropped (PyTorch and ONNX Runtime rule).
func slidingOutputSize(
  input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int, ceilMode: Bool
) -> Int {
  let effective = (kernel - 1) * dilation + 1
  let span = input + padBegin + padEnd - effective
  if span < 0 { return 0 }
  var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
  if ceilMode && (out - 1) * stride >= input + padBegin { out -= 1 }
  return out
}
