/// Picks the widest student whose INT8 model fits a device (`width=auto`).
///
/// Each candidate width is built, calibrated (min/max) on a few of the operational samples, lowered and
/// quantized to INT8 exactly as `quantize int8 ptq` would, and its arena planned as TFLite Micro would plan
/// it; flash is the quantized constants' bytes. The calibration only sets scales, which do not change any
/// size, so a handful of samples gives the exact sizes of the final model.
public enum StudentSizing {
  /// The INT8 size of one candidate.
  public struct Candidate: Sendable, Equatable {
    /// The width multiplier.
    public let width: Double
    /// Trainable parameters of the float student.
    public let parameters: Int
    /// Bytes of INT8 weights and other constants (flash).
    public let flashBytes: Int
    /// Peak RAM: the planned arena plus the device's runtime overhead.
    public let peakRAMBytes: Int
    /// Whether both fit the device.
    public let fits: Bool
  }

  /// The candidates from widest to narrowest, stopping at the first that fits (which is the choice).
  public static func candidates(
    _ architecture: StudentArchitecture, options: StudentOptions, sampleShape: [Int], classes: Int,
    device: Device, samples: Dataset, ladder: [Double] = StudentArchitecture.widthLadder,
    isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> [Candidate] {
    var result: [Candidate] = []
    for width in ladder.sorted(by: >) {
      var sized = options
      sized.width = width
      let model = try architecture.build(sampleShape: sampleShape, classes: classes, options: sized)
      let calibrator = try Calibrator(model: model, options: CalibrationOptions(sampleLimit: 4))
      let calibration = try calibrator.calibrate(samples, isCancelled: isCancelled)
      let lowered = try Lowering.lower(model)
      let graph = try Quantizer.quantize(lowered, ranges: calibration.closedRanges)
      let plan = try MemoryPlanner.plan(graph, io: .int8, for: device)
      let flash = graph.constantBytes
      let fits = flash <= device.flash && plan.peakBytes <= device.ram
      result.append(
        Candidate(
          width: width, parameters: try TrainableGraph(model: model).parameterCount, flashBytes: flash,
          peakRAMBytes: plan.peakBytes, fits: fits))
      if fits { break }
    }
    return result
  }
}
