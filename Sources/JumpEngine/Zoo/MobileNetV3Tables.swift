/// One inverted-residual block of MobileNetV3, as the paper's tables list it (channels at width 1.0).
struct MobileNetV3Block: Sendable {
  /// The depthwise kernel size.
  let kernel: Int
  /// The expanded (hidden) channels.
  let expanded: Int
  /// The output channels.
  let out: Int
  /// Whether the block has squeeze-and-excite.
  let squeezeExcite: Bool
  /// Whether the block uses hard-swish (otherwise ReLU).
  let hardSwish: Bool
  /// The depthwise stride.
  let stride: Int

  init(_ kernel: Int, _ expanded: Int, _ out: Int, _ squeezeExcite: Bool, _ hardSwish: Bool, _ stride: Int) {
    (self.kernel, self.expanded, self.out) = (kernel, expanded, out)
    (self.squeezeExcite, self.hardSwish, self.stride) = (squeezeExcite, hardSwish, stride)
  }
}

/// The published layer tables (Howard et al., "Searching for MobileNetV3", 2019, tables 1 and 2, as
/// torchvision builds them): the stem has 16 channels, the last stage widens by 6, and the classifier's
/// hidden layer has `lastChannels`.
struct MobileNetV3Table: Sendable {
  /// The stem convolution's output channels.
  let stem: Int
  /// The blocks in order.
  let blocks: [MobileNetV3Block]
  /// The classifier's hidden width.
  let lastChannels: Int

  /// MobileNetV3-Small.
  static let small = MobileNetV3Table(
    stem: 16,
    blocks: [
      .init(3, 16, 16, true, false, 2), .init(3, 72, 24, false, false, 2), .init(3, 88, 24, false, false, 1),
      .init(5, 96, 40, true, true, 2), .init(5, 240, 40, true, true, 1), .init(5, 240, 40, true, true, 1),
      .init(5, 120, 48, true, true, 1), .init(5, 144, 48, true, true, 1), .init(5, 288, 96, true, true, 2),
      .init(5, 576, 96, true, true, 1), .init(5, 576, 96, true, true, 1),
    ],
    lastChannels: 1024)

  /// MobileNetV3-Large.
  static let large = MobileNetV3Table(
    stem: 16,
    blocks: [
      .init(3, 16, 16, false, false, 1), .init(3, 64, 24, false, false, 2), .init(3, 72, 24, false, false, 1),
      .init(5, 72, 40, true, false, 2), .init(5, 120, 40, true, false, 1), .init(5, 120, 40, true, false, 1),
      .init(3, 240, 80, false, true, 2), .init(3, 200, 80, false, true, 1), .init(3, 184, 80, false, true, 1),
      .init(3, 184, 80, false, true, 1), .init(3, 480, 112, true, true, 1), .init(3, 672, 112, true, true, 1),
      .init(5, 672, 160, true, true, 2), .init(5, 960, 160, true, true, 1), .init(5, 960, 160, true, true, 1),
    ],
    lastChannels: 1280)
}

/// `v` rounded to the nearest multiple of `divisor`, never below `divisor` and never more than 10% below
/// `v` (the `_make_divisible` rule of the MobileNet papers' reference code).
func makeDivisible(_ v: Double, divisor: Int = 8) -> Int {
  let rounded = max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
  return Double(rounded) < 0.9 * v ? rounded + divisor : rounded
}
