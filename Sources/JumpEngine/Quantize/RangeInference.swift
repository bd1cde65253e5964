import Foundation

/// Bounds on a lowered op's output from bounds on its inputs, for tensors calibration did not observe.
///
/// Calibration records the float model's values; lowering creates a few tensors the float model never had
/// (HardSigmoid's `x + 3` before the 1/6, a standalone BatchNormalization's product). Their ranges follow
/// from interval arithmetic on the inputs' ranges and the constants, which is exact for a single affine step
/// and conservative otherwise. Convolutions and fully connected layers have no useful bound: they must be
/// calibrated.
enum RangeInference {
  /// The output range of `node`, or nil when it cannot be derived.
  ///
  /// `range` gives the range of an activation input (nil when unknown); `constant` the values of a constant.
  static func outputRange(
    _ node: QuantizedNode, range: (String) -> ClosedRange<Float>?, constant: (String) -> [Float]?
  ) -> ClosedRange<Float>? {
    /// The range of input `i`: observed for an activation, min...max for a constant.
    func operand(_ i: Int) -> ClosedRange<Float>? {
      guard i < node.inputs.count else { return nil }
      if let values = constant(node.inputs[i]) {
        guard let low = values.min(), let high = values.max() else { return nil }
        return low...high
      }
      return range(node.inputs[i])
    }
    let derived: ClosedRange<Float>?
    switch node.op {
    case .add:
      derived = pair(operand(0), operand(1)) { a, b in
        (a.lowerBound + b.lowerBound)...(a.upperBound + b.upperBound)
      }
    case .sub:
      derived = pair(operand(0), operand(1)) { a, b in
        (a.lowerBound - b.upperBound)...(a.upperBound - b.lowerBound)
      }
    case .mul:
      derived = pair(operand(0), operand(1)) { a, b in
        let products = [
          a.lowerBound * b.lowerBound, a.lowerBound * b.upperBound, a.upperBound * b.lowerBound,
          a.upperBound * b.upperBound,
        ]
        return (products.min() ?? 0)...(products.max() ?? 0)
      }
    case .reshape, .maxPool2D, .averagePool2D, .mean, .quantize, .dequantize:
      derived = operand(0)
    case .pad:
      derived = operand(0).map { min($0.lowerBound, 0)...max($0.upperBound, 0) }
    case .concatenation:
      var union: ClosedRange<Float>? = nil
      for i in node.inputs.indices {
        guard let r = operand(i) else { return nil }
        union = union.map { min($0.lowerBound, r.lowerBound)...max($0.upperBound, r.upperBound) } ?? r
      }
      derived = union
    case .hardSwish:
      derived = operand(0).map(hardSwishRange)
    case .logistic:
      derived = operand(0).map { sigmoid($0.lowerBound)...sigmoid($0.upperBound) }
    case .softmax:
      derived = 0...1
    case .conv2D, .depthwiseConv2D, .fullyConnected, .float:
      derived = nil
    }
    return derived.map { clamp($0, to: node.op.activation) }
  }

  /// `range` clamped by a fused activation (a range wholly outside collapses onto the nearer bound).
  static func clamp(_ range: ClosedRange<Float>, to activation: OutputActivation) -> ClosedRange<Float> {
    let (low, high) = activation.bounds
    let a = min(max(range.lowerBound, low), high)
    let b = min(max(range.upperBound, low), high)
    return a...max(a, b)
  }

  /// Applies `f` when both ranges are known.
  private static func pair(
    _ a: ClosedRange<Float>?, _ b: ClosedRange<Float>?,
    _ f: (ClosedRange<Float>, ClosedRange<Float>) -> ClosedRange<Float>
  ) -> ClosedRange<Float>? {
    guard let a, let b else { return nil }
    return f(a, b)
  }

  /// The range of `x * relu6(x + 3) / 6` over `r`: its minimum -3/8 is at x = -1.5.
  private static func hardSwishRange(_ r: ClosedRange<Float>) -> ClosedRange<Float> {
    func f(_ x: Float) -> Float { x * min(max(x + 3, 0), 6) / 6 }
    var values = [f(r.lowerBound), f(r.upperBound)]
    if r.contains(-1.5) { values.append(f(-1.5)) }
    return (values.min() ?? 0)...(values.max() ?? 0)
  }

  /// The logistic function.
  private static func sigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
}
