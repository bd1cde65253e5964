/// The float model's outputs on the first samples of a calibration, kept from the calibration pass so
/// that `quantize` can measure the quantized model's output SQNR without running the float model again.
///
/// The calibration pass computes these outputs anyway; keeping them costs `sampleCount` rows of each output
/// (nothing is kept beyond `CalibrationReference.elementLimit` values). They are kept only where they equal
/// a separate float run bit for bit (see `CalibrationReferenceCollector`), so the SQNR does not change.
public struct CalibrationReference: Sendable, Equatable {
  /// How many leading samples the outputs cover.
  public var sampleCount: Int
  /// The model's outputs on those samples, in the graph's output order (samples along the first axis).
  public var outputs: [Tensor]
  /// `digest` of the input samples the outputs belong to, so a reader can check it has the same ones.
  public var inputDigest: UInt64

  /// The most values kept in total (16 MB of float32).
  public static let elementLimit = 1 << 22
  /// The samples kept by default (the number `quantize` measures its output SQNR on).
  public static let defaultSamples = 64

  /// Creates a reference from its parts.
  public init(sampleCount: Int, outputs: [Tensor], inputDigest: UInt64) {
    self.sampleCount = sampleCount
    self.outputs = outputs
    self.inputDigest = inputDigest
  }

  /// The outputs of the first output for `input` (samples along the first axis), when they are the kept
  /// ones: same sample count and the same input values, bit for bit.
  public func output(for input: Tensor) -> Tensor? {
    guard input.shape.first == sampleCount, let first = outputs.first else { return nil }
    return Self.digest(of: input) == inputDigest ? first : nil
  }

  /// The digest that tells one set of input samples from another: FNV-1a over the bit patterns of the
  /// values as float32 (also how `CalibrationTapMeans` and bias correction recognize their samples).
  static func digest(of input: Tensor) -> UInt64 {
    var digest: UInt64 = 0xCBF2_9CE4_8422_2325
    for value in input.floats ?? input.asFloats() {
      digest = (digest ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3
    }
    return digest
  }
}

/// Keeps the outputs of the calibration's first batch when they are exactly what a float run of the
/// reference samples computes: the batch holds exactly those samples (the float kernels may round
/// differently at another batch size) and the model has no BatchNormalization (the calibration's executor
/// keeps it separate to observe the convolution's output; a plain run folds it into the weights).
struct CalibrationReferenceCollector {
  /// Samples to keep: `min(referenceSamples, samples calibrated)`, 0 for none.
  let wanted: Int
  /// The reference, once kept.
  private(set) var reference: CalibrationReference?
  /// True once the first batch was seen.
  private var seenFirst = false

  init(wanted: Int, model: Model) {
    let folds = model.graph.nodes.contains {
      if case .batchNormalization = $0.op { return true }
      return false
    }
    self.wanted = folds ? 0 : wanted
  }

  /// Keeps the outputs of the first batch (`input` the batch's samples) when it has `wanted` samples.
  mutating func add(_ outputs: [Tensor], input: Tensor) {
    defer { seenFirst = true }
    guard !seenFirst, wanted > 0, input.shape.first == wanted,
      outputs.allSatisfy({ $0.shape.first == wanted }),
      outputs.reduce(0, { $0 + $1.count }) <= CalibrationReference.elementLimit
    else { return }
    reference = CalibrationReference(
      sampleCount: wanted, outputs: outputs, inputDigest: CalibrationReference.digest(of: input))
  }
}
