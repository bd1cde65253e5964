/// How stored samples become model inputs: layout conversion, then `x * scale`, then `(x - mean) / std`
/// per channel.
///
/// Channels are the first axis of a sample after layout conversion (NCHW models). `mean` and `std` hold one
/// value for every channel or a single value for all; empty means 0 and 1.
public struct DatasetTransform: Sendable, Equatable {
  /// How samples are laid out on disk.
  public enum Layout: String, Sendable, CaseIterable {
    /// Channels first (`C×H×W`), what the engine's models take.
    case nchw
    /// Channels last (`H×W×C`), converted to channels first when read.
    case nhwc
  }

  /// The factor every stored value is multiplied by first (for example 1/255).
  public var scale: Float
  /// Subtracted after scaling: one value per channel, or one for all.
  public var mean: [Float]
  /// Divided by after subtracting the mean: one value per channel, or one for all.
  public var std: [Float]
  /// The stored layout.
  public var layout: Layout

  /// Creates a transform; the defaults change nothing.
  public init(scale: Float = 1, mean: [Float] = [], std: [Float] = [], layout: Layout = .nchw) {
    self.scale = scale
    self.mean = mean
    self.std = std
    self.layout = layout
  }

  /// Whether the transform leaves samples as they are stored.
  public var isIdentity: Bool { self == DatasetTransform() }

  /// The shape of one transformed sample, given the stored shape; checks the options fit it.
  ///
  /// Throws `invalidData` labelled `label` when `layout=nhwc` meets samples that are not rank 3, when
  /// `mean` or `std` have neither one value nor one per channel, or when a `std` value is 0.
  public func sampleShape(stored: [Int], label: String) throws(EngineError) -> [Int] {
    var shape = stored
    if layout == .nhwc {
      guard stored.count == 3 else {
        throw EngineError.invalidData(
          label, "layout=nhwc needs samples of rank 3 (H×W×C), these are \(Self.format(stored))")
      }
      shape = [stored[2], stored[0], stored[1]]
    }
    let channels = shape.first ?? 1
    for (name, values) in [("mean", mean), ("std", std)]
    where !(values.count <= 1 || values.count == channels) {
      throw EngineError.invalidData(
        label,
        "\(name) has \(values.count) values but samples \(Self.format(shape)) have \(channels) channels "
          + "(give one value, or one per channel)")
    }
    if std.contains(where: { $0 == 0 || !$0.isFinite }) {
      throw EngineError.invalidData(label, "std values must be finite and non-zero")
    }
    return shape
  }

  /// Transforms `count` stored samples of shape `stored` (flat in `values`) into model inputs.
  func apply(_ values: [Float], count: Int, stored: [Int]) -> [Float] {
    var output = layout == .nhwc ? Self.channelsFirst(values, count: count, stored: stored) : values
    guard scale != 1 || !mean.isEmpty || !std.isEmpty, count > 0 else { return output }
    let perSample = output.count / count
    let channels = layout == .nhwc ? stored[2] : (stored.first ?? 1)
    let plane = stored.isEmpty ? 1 : perSample / max(channels, 1)
    let scale = self.scale
    output.withUnsafeMutableBufferPointer { buffer in
      for sample in 0..<count {
        for channel in 0..<(stored.isEmpty ? 1 : channels) {
          let m = mean.isEmpty ? 0 : mean[mean.count == 1 ? 0 : channel]
          let s = std.isEmpty ? 1 : std[std.count == 1 ? 0 : channel]
          let start = sample * perSample + channel * plane
          for i in start..<start + plane { buffer[i] = (buffer[i] * scale - m) / s }
        }
      }
    }
    return output
  }

  /// Moves channels-last samples (`H×W×C`) to channels first (`C×H×W`).
  private static func channelsFirst(_ values: [Float], count: Int, stored: [Int]) -> [Float] {
    let (height, width, channels) = (stored[0], stored[1], stored[2])
    let plane = height * width
    var output = [Float](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { out in
        for sample in 0..<count {
          let base = sample * plane * channels
          for pixel in 0..<plane {
            for channel in 0..<channels {
              out[base + channel * plane + pixel] = input[base + pixel * channels + channel]
            }
          }
        }
      }
    }
    return output
  }

  private static func format(_ shape: [Int]) -> String {
    shape.isEmpty ? "scalars" : shape.map(String.init).joined(separator: "×")
  }
}
