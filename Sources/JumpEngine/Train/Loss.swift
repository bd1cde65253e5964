import Foundation

/// A loss over one batch and its gradient with respect to the model output it was computed from.
public struct LossResult: Sendable {
  /// The loss, averaged over the batch.
  public let value: Double
  /// `d value / d output`, in the output's shape.
  public let gradient: Tensor
}

/// The training losses. Each averages over the batch, so learning rates do not depend on the batch size,
/// and each computes in `Double` internally.
public enum Loss {
  /// Cross-entropy of `logits` (`[N, K]`) against integer class `labels` (`[N]`): the mean of
  /// `logsumexp(z) - z[label]`, with gradient `(softmax(z) - onehot(label)) / N`.
  ///
  /// Throws `invalidData` for mismatched shapes or a label outside `0..<K`.
  public static func crossEntropy(logits: Tensor, labels: Tensor) throws(EngineError) -> LossResult {
    let (n, k) = try rows(logits, "logits")
    let classes = try checkedLabels(labels, count: n, classes: k)
    let z = logits.floats ?? logits.asFloats()
    var gradient = [Float](repeating: 0, count: n * k)
    var total: Double = 0
    for i in 0..<n {
      let probabilities = softmax(z[(i * k)..<(i * k + k)], temperature: 1)
      let label = classes[i]
      total -= log(max(probabilities[label], Double.leastNormalMagnitude))
      for j in 0..<k {
        gradient[i * k + j] = Float((probabilities[j] - (j == label ? 1 : 0)) / Double(n))
      }
    }
    return LossResult(value: total / Double(n), gradient: Tensor(shape: logits.shape, floats: gradient))
  }

  /// Cross-entropy of a model that already ends in Softmax: the mean of `-log(p[label])`, with `p`
  /// clamped at 1e-12 so a confident mistake gives a large but finite loss.
  public static func crossEntropy(probabilities: Tensor, labels: Tensor) throws(EngineError) -> LossResult {
    let (n, k) = try rows(probabilities, "probabilities")
    let classes = try checkedLabels(labels, count: n, classes: k)
    let p = probabilities.floats ?? probabilities.asFloats()
    var gradient = [Float](repeating: 0, count: n * k)
    var total: Double = 0
    for i in 0..<n {
      let q = Double(p[i * k + classes[i]])
      if q > 1e-12 {
        total -= log(q)
        gradient[i * k + classes[i]] = Float(-1 / (q * Double(n)))
      } else {
        total -= log(1e-12)
      }
    }
    return LossResult(
      value: total / Double(n), gradient: Tensor(shape: probabilities.shape, floats: gradient))
  }

  /// Hinton's distillation loss `T^2 * KL(softmax(teacher / T) || softmax(student / T))`, averaged over the
  /// batch, with gradient `T * (softmax(student / T) - softmax(teacher / T)) / N` for the student logits.
  ///
  /// The `T^2` factor keeps the soft-target gradients' size independent of `T`. Throws `invalidData` for
  /// different shapes or a temperature that is not positive.
  public static func distillation(
    student: Tensor, teacher: Tensor, temperature: Double
  ) throws(EngineError) -> LossResult {
    guard temperature > 0, temperature.isFinite else {
      throw EngineError(.invalidData, "temperature must be positive, got \(temperature)")
    }
    let (n, k) = try rows(student, "student logits")
    guard teacher.shape == student.shape else {
      throw EngineError(
        .invalidData, "teacher logits have shape \(teacher.shape), the student's have \(student.shape)")
    }
    let s = student.floats ?? student.asFloats()
    let t = teacher.floats ?? teacher.asFloats()
    var gradient = [Float](repeating: 0, count: n * k)
    var total: Double = 0
    for i in 0..<n {
      let ps = softmax(s[(i * k)..<(i * k + k)], temperature: temperature)
      let pt = softmax(t[(i * k)..<(i * k + k)], temperature: temperature)
      for j in 0..<k {
        if pt[j] > 0 { total += pt[j] * (log(pt[j]) - log(max(ps[j], Double.leastNormalMagnitude))) }
        gradient[i * k + j] = Float(temperature * (ps[j] - pt[j]) / Double(n))
      }
    }
    return LossResult(
      value: temperature * temperature * total / Double(n),
      gradient: Tensor(shape: student.shape, floats: gradient))
  }

  /// The mean of `(prediction - target)^2` over every element, with gradient `2 (prediction - target) / count`.
  public static func meanSquaredError(prediction: Tensor, target: Tensor) throws(EngineError) -> LossResult {
    guard prediction.shape == target.shape, prediction.count > 0 else {
      throw EngineError(
        .invalidData, "prediction has shape \(prediction.shape), the target \(target.shape)")
    }
    let y = prediction.floats ?? prediction.asFloats()
    let t = target.asFloats()
    let count = Double(y.count)
    var total: Double = 0
    var gradient = [Float](repeating: 0, count: y.count)
    for i in 0..<y.count {
      let d = Double(y[i]) - Double(t[i])
      total += d * d
      gradient[i] = Float(2 * d / count)
    }
    return LossResult(value: total / count, gradient: Tensor(shape: prediction.shape, floats: gradient))
  }

  /// How many rows of `outputs` (`[N, K]`) have their largest value at the label's index.
  public static func correctCount(outputs: Tensor, labels: Tensor) -> Int {
    guard outputs.rank == 2, labels.count == outputs.shape[0] else { return 0 }
    let k = outputs.shape[1]
    let z = outputs.floats ?? outputs.asFloats()
    let classes = labels.asInt64s()
    var correct = 0
    for i in 0..<outputs.shape[0] {
      var best = 0
      for j in 1..<max(k, 1) where z[i * k + j] > z[i * k + best] { best = j }
      if Int64(best) == classes[i] { correct += 1 }
    }
    return correct
  }

  /// `(N, K)` of a `[N, K]` score tensor.
  static func rows(_ scores: Tensor, _ what: String) throws(EngineError) -> (Int, Int) {
    guard scores.rank == 2, scores.shape[0] > 0, scores.shape[1] > 0 else {
      throw EngineError(.invalidData, "\(what) must have shape [N, K], got \(scores.shape)")
    }
    return (scores.shape[0], scores.shape[1])
  }

  /// The labels as class indices, checked against the batch size and class count.
  static func checkedLabels(_ labels: Tensor, count: Int, classes: Int) throws(EngineError) -> [Int] {
    guard labels.count == count, labels.rank <= 1 || labels.shape.dropFirst().allSatisfy({ $0 == 1 }) else {
      throw EngineError(.invalidData, "labels have shape \(labels.shape), expected [\(count)] class indices")
    }
    var result: [Int] = []
    for label in labels.asInt64s() {
      guard label >= 0, label < classes else {
        throw EngineError(.invalidData, "label \(label) is outside the \(classes) classes (0..<\(classes))")
      }
      result.append(Int(label))
    }
    return result
  }

  /// `softmax(z / temperature)` of one row, max-subtracted, in `Double`.
  static func softmax(_ z: ArraySlice<Float>, temperature: Double) -> [Double] {
    let scaled = z.map { Double($0) / temperature }
    let top = scaled.max() ?? 0
    let exps = scaled.map { exp($0 - top) }
    let total = exps.reduce(0, +)
    return exps.map { $0 / total }
  }
}
