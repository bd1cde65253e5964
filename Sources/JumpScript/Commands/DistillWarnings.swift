import Foundation
import JumpEngine

/// Warnings about the operational data that `distill` learns from: each names the risk, none stops the run.
enum DistillWarnings {
  /// Fewer samples than this leave too little to learn from once 20% are held out.
  static let minimumSamples = 100
  /// A teacher predicting one class for more than this fraction of the samples teaches little.
  static let dominantClassFraction = 0.9

  static func check(
    _ request: DistillRequest, teacher: TeacherOutputs, state: SessionState
  ) throws(CommandError) -> [String] {
    var warnings: [String] = []
    let count = request.data.dataset.count
    if count < minimumSamples {
      warnings.append(
        "'\(request.data.name)' has only \(count) samples (fewer than \(minimumSamples)); the student will "
          + "learn the teacher on very few inputs and may not generalise")
    }
    let predictions = teacher.predictions
    if !predictions.isEmpty {
      var counts: [Int: Int] = [:]
      for p in predictions { counts[p, default: 0] += 1 }
      if let (top, n) = counts.max(by: { $0.value < $1.value || $0.value == $1.value && $0.key > $1.key }),
        Double(n) / Double(predictions.count) > dominantClassFraction
      {
        warnings.append(
          "the teacher predicts class \(top) for \(n) of \(predictions.count) samples; the student will mostly "
            + "learn that one class (is this data what the device will see?)")
      }
    }
    if let calibration = state.calibrations[request.teacher.name],
      calibration.datasetName != request.data.name,
      let reference = state.dataset(named: calibration.datasetName)
    {
      do {
        let here = try statistics(request.data.dataset)
        let there = try statistics(reference.dataset)
        let shift = abs(here.mean - there.mean) / max(there.deviation, 1e-6)
        let spread = here.deviation / max(there.deviation, 1e-6)
        if shift > 0.5 || spread < 0.5 || spread > 2 {
          warnings.append(
            "'\(request.data.name)' differs from the teacher's calibration data '\(calibration.datasetName)' "
              + "(mean \(ValueFormatter.fixed(here.mean, decimals: 3)) vs \(ValueFormatter.fixed(there.mean, decimals: 3)), "
              + "std \(ValueFormatter.fixed(here.deviation, decimals: 3)) vs "
              + "\(ValueFormatter.fixed(there.deviation, decimals: 3))); the teacher may be unreliable on it")
        }
      } catch {
        throw CommandError(error, parameter: "dataset")
      }
    }
    return warnings
  }

  /// Mean and standard deviation of every element of the first 256 samples.
  static func statistics(_ dataset: Dataset) throws(EngineError) -> (mean: Double, deviation: Double) {
    let batch = try dataset.batch(0..<min(256, dataset.count))
    let values = batch.x.floats ?? batch.x.asFloats()
    var (sum, squares) = (0.0, 0.0)
    for v in values {
      sum += Double(v)
      squares += Double(v) * Double(v)
    }
    let n = Double(max(values.count, 1))
    let mean = sum / n
    return (mean, max(0, squares / n - mean * mean).squareRoot())
  }
}
