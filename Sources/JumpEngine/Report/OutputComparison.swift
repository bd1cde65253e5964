import Foundation

/// Accumulates, batch by batch, how a model's outputs compare with labels and with a reference
/// model's outputs: top-1 accuracy, top-1 agreement, absolute error and SQNR. State is a handful
/// of counters, so memory does not grow with the data set.
public struct OutputComparison: Sendable, Equatable {
  /// Samples seen.
  public private(set) var samples = 0
  /// Samples whose top-1 class equals the label (when labels were given).
  public private(set) var correct = 0
  /// Samples that had labels.
  public private(set) var labelled = 0
  /// Samples whose top-1 class equals the reference's top-1 class.
  public private(set) var agreeing = 0
  /// Samples compared with a reference.
  public private(set) var referenced = 0
  /// Largest absolute difference from the reference over all output elements.
  public private(set) var maxAbsoluteError: Double = 0
  private var absoluteErrorSum: Double = 0
  private var referenceEnergy: Double = 0
  private var noiseEnergy: Double = 0
  private var comparedElements = 0

  /// An empty comparison.
  public init() {}

  /// Adds a batch: `outputs` is `[n, classes...]` (rows are samples), `labels` class indices,
  /// `reference` the reference model's outputs of the same shape.
  public mutating func add(outputs: Tensor, labels: [Int]?, reference: Tensor?) {
    let rows = outputs.shape.first ?? 0
    guard rows > 0 else { return }
    let width = outputs.count / rows
    let values = outputs.asFloats()
    samples += rows
    var predicted = [Int](repeating: 0, count: rows)
    for row in 0..<rows { predicted[row] = OutputComparison.argmax(values, row * width, width) }
    if let labels {
      labelled += rows
      for row in 0..<min(rows, labels.count) where predicted[row] == labels[row] { correct += 1 }
    }
    if let reference, reference.count == outputs.count {
      let expected = reference.asFloats()
      referenced += rows
      for row in 0..<rows where predicted[row] == OutputComparison.argmax(expected, row * width, width) {
        agreeing += 1
      }
      for index in 0..<values.count {
        let difference = Double(values[index]) - Double(expected[index])
        maxAbsoluteError = max(maxAbsoluteError, abs(difference))
        absoluteErrorSum += abs(difference)
        noiseEnergy += difference * difference
        referenceEnergy += Double(expected[index]) * Double(expected[index])
      }
      comparedElements += values.count
    }
  }

  /// Top-1 accuracy in [0, 1], nil without labels.
  public var accuracy: Double? { labelled > 0 ? Double(correct) / Double(labelled) : nil }

  /// Top-1 agreement with the reference in [0, 1], nil without a reference.
  public var agreement: Double? { referenced > 0 ? Double(agreeing) / Double(referenced) : nil }

  /// Mean absolute difference from the reference, nil without one.
  public var meanAbsoluteError: Double? {
    comparedElements > 0 ? absoluteErrorSum / Double(comparedElements) : nil
  }

  /// Signal-to-quantization-noise ratio against the reference in dB (infinite when identical).
  public var sqnrDecibels: Double? {
    guard comparedElements > 0 else { return nil }
    if noiseEnergy == 0 { return .infinity }
    return 10 * log10(referenceEnergy / noiseEnergy)
  }

  /// Index of the largest of `count` values from `start`; the first one on ties, as numpy's argmax.
  static func argmax(_ values: [Float], _ start: Int, _ count: Int) -> Int {
    var best = 0
    for offset in 1..<max(1, count) where values[start + offset] > values[start + best] { best = offset }
    return best
  }
}
