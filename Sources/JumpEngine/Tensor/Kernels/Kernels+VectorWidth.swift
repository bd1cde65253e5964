import CKernels

extension Kernels {
  /// The vector width of the C kernels (`CKernels`) on this processor: 16 with AVX-512F, else 0 (the Swift
  /// kernels run). Read once.
  static let vectorWidth = Int(jsk_vector_width())

  /// `activation` as the C kernels fuse it (kind, clip bounds), nil for activations they leave to Swift.
  static func vectorActivation(_ activation: Activation) -> (kind: jsk_activation, low: Float, high: Float)? {
    switch activation {
    case .none: return (jsk_identity, -.infinity, .infinity)
    case .relu: return (jsk_relu, 0, .infinity)
    case .clip(let low, let high): return (jsk_clip, low, high)
    case .hardSwish: return (jsk_hardswish, -.infinity, .infinity)
    default: return nil
    }
  }
}
