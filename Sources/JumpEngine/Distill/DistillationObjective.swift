/// The distillation objective `alpha * T^2 * KL(softmax(t / T) || softmax(s / T)) + (1 - alpha) * CE(s, y)`
/// (Hinton, Vinyals and Dean, 2015) over the student's logits, with its gradient.
///
/// Without labels only the soft term remains (alpha is 1). Both terms average over the batch, so the
/// gradient is `alpha * T * (softmax(s / T) - softmax(t / T)) / N + (1 - alpha) * (softmax(s) - onehot(y)) / N`.
public struct DistillationObjective: Sendable, Equatable {
  /// The softmax temperature of the soft term.
  public var temperature: Double
  /// The weight of the soft term; `1 - alpha` weighs the hard-label term.
  public var alpha: Double

  /// Creates the objective; throws `invalidData` for a temperature that is not positive or an alpha outside
  /// `[0, 1]`.
  public init(temperature: Double, alpha: Double) throws(EngineError) {
    guard temperature > 0, temperature.isFinite else {
      throw EngineError(.invalidData, "temperature must be positive, got \(temperature)")
    }
    guard alpha >= 0, alpha <= 1 else {
      throw EngineError(.invalidData, "alpha must be in [0, 1], got \(alpha)")
    }
    self.temperature = temperature
    self.alpha = alpha
  }

  /// The loss of `student` logits against the `teacher`'s and, when given, the class `labels`.
  ///
  /// Without labels the hard term is dropped and the soft term weighs 1, whatever `alpha` says.
  public func loss(student: Tensor, teacher: Tensor, labels: Tensor?) throws(EngineError) -> LossResult {
    let soft = try Loss.distillation(student: student, teacher: teacher, temperature: temperature)
    guard let labels, alpha < 1 else { return soft }
    let hard = try Loss.crossEntropy(logits: student, labels: labels)
    let a = Float(alpha)
    let s = soft.gradient.floats ?? soft.gradient.asFloats()
    let h = hard.gradient.floats ?? hard.gradient.asFloats()
    var combined = [Float](repeating: 0, count: s.count)
    for i in 0..<s.count { combined[i] = a * s[i] + (1 - a) * h[i] }
    return LossResult(
      value: alpha * soft.value + (1 - alpha) * hard.value,
      gradient: Tensor(shape: student.shape, floats: combined))
  }
}
