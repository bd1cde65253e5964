/// The closed set of operators the engine understands, each with its typed attributes.
///
/// Attribute-like ONNX inputs (Reshape's shape, Squeeze/Unsqueeze/ReduceMean axes, Clip bounds) are stored
/// here as attributes, so a node's inputs are only the tensors it computes on. Axes are stored as written in
/// the source model (possibly negative); shape inference normalizes them.
public enum Op: Hashable, Sendable, CustomStringConvertible {
  /// N-d convolution; inputs `X, W[, B]`.
  case conv(ConvAttributes)
  /// General matrix multiply; inputs `A, B[, C]`.
  case gemm(GemmAttributes)
  /// NumPy-style matrix product; inputs `A, B`.
  case matMul
  /// Inference batch normalization; inputs `X, scale, bias, mean, var`.
  case batchNormalization(epsilon: Float)
  /// `max(x, 0)`.
  case relu
  /// Clamp to `[min, max]`; nil bounds are unbounded.
  case clip(min: Float?, max: Float?)
  /// `x * relu6(x + 3) / 6`.
  case hardSwish
  /// `max(0, min(1, alpha * x + beta))`.
  case hardSigmoid(alpha: Float, beta: Float)
  /// `1 / (1 + exp(-x))`.
  case sigmoid
  /// Broadcasting addition.
  case add
  /// Broadcasting subtraction.
  case sub
  /// Broadcasting multiplication.
  case mul
  /// Broadcasting division.
  case div
  /// Max pooling.
  case maxPool(PoolAttributes)
  /// Average pooling.
  case averagePool(PoolAttributes)
  /// Average over all spatial positions, keeping them as size-1 dimensions.
  case globalAveragePool
  /// Mean over `axes` (nil: all axes).
  case reduceMean(axes: [Int]?, keepDims: Bool)
  /// Flatten to 2-D at `axis`.
  case flatten(axis: Int)
  /// Reshape to `shape` (ONNX semantics: `-1` inferred, `0` copies the input dimension unless `allowZero`).
  case reshape(shape: [Int], allowZero: Bool)
  /// Remove size-1 axes (nil: all of them).
  case squeeze(axes: [Int]?)
  /// Insert size-1 axes at the given output positions.
  case unsqueeze(axes: [Int])
  /// Join the inputs along `axis`.
  case concat(axis: Int)
  /// Permute axes (nil: reverse them).
  case transpose(perm: [Int]?)
  /// Softmax along `axis` (opset 13 semantics).
  case softmax(axis: Int)

  /// The ONNX operator name (`Conv`, `Gemm`, ...).
  public var onnxName: String {
    switch self {
    case .conv: return "Conv"
    case .gemm: return "Gemm"
    case .matMul: return "MatMul"
    case .batchNormalization: return "BatchNormalization"
    case .relu: return "Relu"
    case .clip: return "Clip"
    case .hardSwish: return "HardSwish"
    case .hardSigmoid: return "HardSigmoid"
    case .sigmoid: return "Sigmoid"
    case .add: return "Add"
    case .sub: return "Sub"
    case .mul: return "Mul"
    case .div: return "Div"
    case .maxPool: return "MaxPool"
    case .averagePool: return "AveragePool"
    case .globalAveragePool: return "GlobalAveragePool"
    case .reduceMean: return "ReduceMean"
    case .flatten: return "Flatten"
    case .reshape: return "Reshape"
    case .squeeze: return "Squeeze"
    case .unsqueeze: return "Unsqueeze"
    case .concat: return "Concat"
    case .transpose: return "Transpose"
    case .softmax: return "Softmax"
    }
  }

  /// True for one-input ops that map each element independently (activations).
  public var isUnaryElementwise: Bool {
    switch self {
    case .relu, .clip, .hardSwish, .hardSigmoid, .sigmoid: return true
    default: return false
    }
  }

  /// True for the broadcasting binary arithmetic ops.
  public var isBinaryElementwise: Bool {
    switch self {
    case .add, .sub, .mul, .div: return true
    default: return false
    }
  }

  /// True for ops that only move or relabel data (no arithmetic).
  public var isDataMovement: Bool {
    switch self {
    case .flatten, .reshape, .squeeze, .unsqueeze, .concat, .transpose: return true
    default: return false
    }
  }

  /// The ONNX operator name.
  public var description: String { onnxName }
}
