/// The size options of a zoo student; each architecture reads the ones it has.
public struct StudentOptions: Sendable, Equatable {
  /// The channel multiplier (mobilenetv3_*, dscnn, cnn).
  public var width: Double
  /// The number of blocks or stages (dscnn, cnn); nil takes the architecture's default.
  public var depth: Int?
  /// The hidden layer widths (mlp); nil takes the default.
  public var hidden: [Int]?

  /// Creates options (width 1, default depth and hidden layers).
  public init(width: Double = 1, depth: Int? = nil, hidden: [Int]? = nil) {
    self.width = width
    self.depth = depth
    self.hidden = hidden
  }
}

/// The student zoo: the architectures `distill` can train, each built for a teacher's input shape and
/// number of outputs with seeded He/Kaiming initialization.
public enum StudentArchitecture: String, CaseIterable, Sendable {
  case mobilenetv3_small, mobilenetv3_large, dscnn, cnn, mlp

  /// The widths a student may take: below 0.1 MobileNet's channels collapse to the rounding minimum.
  public static let widthRange: ClosedRange<Double> = 0.1...4
  /// The widths `width=auto` tries, largest first.
  public static let widthLadder: [Double] = [1.0, 0.75, 0.5, 0.35, 0.25]
  /// Default hidden layers of `mlp`.
  public static let defaultHidden = [128, 64]

  /// One line for `.help distill`.
  public var summary: String {
    switch self {
    case .mobilenetv3_small:
      return
        "MobileNetV3-Small (Howard et al. 2019): hard-swish, squeeze-excite; width= (channels rounded to 8)"
    case .mobilenetv3_large: return "MobileNetV3-Large: as Small, 15 blocks; width="
    case .dscnn:
      return
        "depthwise-separable CNN of TinyML keyword spotting; width= (64 channels at 1), depth= blocks (4)"
    case .cnn:
      return "plain CNN: conv-BN-ReLU-maxpool stages; width= (16 channels at 1, doubling), depth= stages (3)"
    case .mlp: return "fully connected; hidden=[128, 64] (input flattened)"
    }
  }

  /// Whether `width=` applies.
  public var hasWidth: Bool { self != .mlp }
  /// Whether `depth=` applies.
  public var hasDepth: Bool { self == .dscnn || self == .cnn }

  /// Builds the student for inputs of `sampleShape` (without the batch) and `classes` outputs.
  ///
  /// Throws `invalidData` when the input cannot feed the architecture (convolutional students need
  /// `[channels, height, width]`) or an option is out of range.
  public func build(
    sampleShape: [Int], classes: Int, options: StudentOptions = StudentOptions(), seed: UInt64 = 0
  ) throws(EngineError) -> Model {
    guard classes >= 1 else {
      throw EngineError(.invalidData, "a student needs at least one output, got \(classes)")
    }
    guard sampleShape.allSatisfy({ $0 >= 1 }), !sampleShape.isEmpty else {
      throw EngineError(.invalidData, "the input shape \(sampleShape) has no samples to learn from")
    }
    guard Self.widthRange.contains(options.width) else {
      throw EngineError(
        .invalidData,
        "width \(options.width) is outside \(Self.widthRange.lowerBound)...\(Self.widthRange.upperBound)")
    }
    if let depth = options.depth, !(1...12).contains(depth) {
      throw EngineError(.invalidData, "depth \(depth) is outside 1...12")
    }
    if self != .mlp && self != .dscnn && sampleShape.count != 3
      || self == .dscnn && ![1, 3].contains(sampleShape.count)
    {
      throw EngineError(
        .invalidData,
        "\(rawValue) is convolutional and needs image-like inputs [channels, height, width]; the teacher's "
          + "input is \(sampleShape) (mlp takes any shape)")
    }
    switch self {
    case .mobilenetv3_small:
      return try MobileNetV3.build(
        .small, name: rawValue, sampleShape: sampleShape, classes: classes, width: options.width, seed: seed)
    case .mobilenetv3_large:
      return try MobileNetV3.build(
        .large, name: rawValue, sampleShape: sampleShape, classes: classes, width: options.width, seed: seed)
    case .dscnn:
      return try DepthwiseSeparableCNN.build(
        sampleShape: sampleShape, classes: classes, width: options.width, depth: options.depth ?? 4,
        seed: seed)
    case .cnn:
      return try PlainCNN.build(
        sampleShape: sampleShape, classes: classes, width: options.width, depth: options.depth ?? 3,
        seed: seed)
    case .mlp:
      let hidden = options.hidden ?? Self.defaultHidden
      guard hidden.allSatisfy({ $0 >= 1 }) else {
        throw EngineError(.invalidData, "hidden layer widths must be at least 1, got \(hidden)")
      }
      return try MultilayerPerceptron.build(
        sampleShape: sampleShape, classes: classes, hidden: hidden, seed: seed)
    }
  }
}
