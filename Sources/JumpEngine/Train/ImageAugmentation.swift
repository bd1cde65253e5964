/// Light augmentation for image training data: a random crop with zero padding and a random horizontal
/// flip, drawn per sample and applied per batch to `[N, C, H, W]` inputs (the torchvision `RandomCrop(size,
/// padding=4)` then `RandomHorizontalFlip()` recipe for small images).
///
/// Seeded: epoch `e` draws from its own SplitMix64 stream derived from the run's seed, so a run repeats
/// bit for bit. Off (`none`), batches pass through untouched and nothing is drawn.
public struct ImageAugmentation: Sendable, Equatable {
  /// Shift each image by up to `padding` pixels in each direction, filling with zeros.
  public var crop: Bool
  /// Mirror each image left to right with probability one half.
  public var flip: Bool
  /// The zero padding of the crop, in pixels.
  public var padding: Int

  /// No augmentation.
  public static let none = ImageAugmentation(crop: false, flip: false)

  /// Creates an augmentation (4-pixel padding by default).
  public init(crop: Bool, flip: Bool, padding: Int = 4) {
    self.crop = crop
    self.flip = flip
    self.padding = padding
  }

  /// Whether anything is applied.
  public var isEnabled: Bool { crop || flip }

  /// The words that name it (`crop`, `flip`), for lineage and reports.
  public var names: [String] { (crop ? ["crop"] : []) + (flip ? ["flip"] : []) }

  /// What one sample gets: the crop's offsets and whether it is mirrored after the crop. The output pixel
  /// `(y, x)` reads input `(y + dy, x' + dx)`, `x'` being `x`, or `W - 1 - x` when mirrored; reads outside
  /// the image are the padding's zeros.
  public struct Draw: Sendable, Equatable {
    public var dy: Int, dx: Int, flip: Bool

    /// Creates a draw.
    public init(dy: Int, dx: Int, flip: Bool) {
      self.dy = dy
      self.dx = dx
      self.flip = flip
    }
  }

  /// The stream of draws for `epoch` of a run seeded with `seed`.
  public func augmenter(seed: UInt64, epoch: Int) -> ImageAugmenter {
    // A constant apart from the shuffles' `seed + epoch`, so the two streams never coincide.
    ImageAugmenter(
      augmentation: self,
      generator: DatasetShuffle.SplitMix64(
        state: seed ^ 0x6A09_E667_F3BC_C908 &+ UInt64(epoch) &* 0x9E37_79B9))
  }

  /// `x` (`[N, C, H, W]`) with `draws[i]` applied to sample `i`.
  ///
  /// Throws `invalidData` for an input that is not `[N, C, H, W]` or a draw count that differs from N.
  public static func apply(_ x: Tensor, draws: [Draw]) throws(EngineError) -> Tensor {
    guard x.rank == 4 else {
      throw EngineError(
        .invalidData,
        "augmentation (crop, flip) needs image samples [C, H, W]; these have shape \(Array(x.shape.dropFirst()))"
      )
    }
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    guard draws.count == n else {
      throw EngineError(.invalidData, "augmentation: \(draws.count) draws for \(n) samples")
    }
    let input = x.floats ?? x.asFloats()
    var output = [Float](repeating: 0, count: input.count)
    for (i, draw) in draws.enumerated() {
      for channel in 0..<c {
        let plane = (i * c + channel) * h * w
        for y in 0..<h {
          let sourceY = y + draw.dy
          guard sourceY >= 0, sourceY < h else { continue }
          for x in 0..<w {
            let sourceX = (draw.flip ? w - 1 - x : x) + draw.dx
            guard sourceX >= 0, sourceX < w else { continue }
            output[plane + y * w + x] = input[plane + sourceY * w + sourceX]
          }
        }
      }
    }
    return Tensor(shape: x.shape, floats: output)
  }
}

/// One epoch's stream of augmentation draws (see `ImageAugmentation.augmenter`).
public struct ImageAugmenter: Sendable {
  /// What is applied.
  public let augmentation: ImageAugmentation
  var generator: DatasetShuffle.SplitMix64

  /// The next `count` samples' draws: the crop's `dy` then `dx` (uniform in `-padding...padding`), then
  /// the flip, each drawn only when enabled.
  public mutating func draws(count: Int) -> [ImageAugmentation.Draw] {
    let span = UInt64(2 * augmentation.padding + 1)
    return (0..<count).map { _ in
      var draw = ImageAugmentation.Draw(dy: 0, dx: 0, flip: false)
      if augmentation.crop {
        draw.dy = Int(generator.next() % span) - augmentation.padding
        draw.dx = Int(generator.next() % span) - augmentation.padding
      }
      if augmentation.flip { draw.flip = generator.next() & 1 == 1 }
      return draw
    }
  }

  /// `x` augmented with the next draws, or `x` itself when augmentation is off.
  public mutating func apply(_ x: Tensor) throws(EngineError) -> Tensor {
    guard augmentation.isEnabled else { return x }
    return try ImageAugmentation.apply(x, draws: draws(count: x.shape.first ?? 0))
  }
}
