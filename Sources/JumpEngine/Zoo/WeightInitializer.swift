import Foundation

/// Seeded weight initialization for zoo students, following PyTorch's recipes so a student starts where the
/// same architecture would in torchvision.
///
/// Convolutions get Kaiming-normal weights (`std = sqrt(2 / fan_out)`, fan-out mode as torchvision's
/// MobileNetV3 uses), linear layers `normal(0, 0.01)`, biases zeros. Normal samples come from SplitMix64
/// through Box–Muller, written out so the same seed gives the same weights on every platform.
struct WeightInitializer {
  private var generator: DatasetShuffle.SplitMix64
  private var spare: Double?

  /// Creates an initializer whose draws are fixed by `seed`.
  init(seed: UInt64) { generator = DatasetShuffle.SplitMix64(state: seed) }

  /// A uniform sample in (0, 1).
  mutating func uniform() -> Double {
    (Double(generator.next() >> 11) + 0.5) / Double(1 << 53)
  }

  /// A standard normal sample.
  mutating func normal() -> Double {
    if let spare {
      self.spare = nil
      return spare
    }
    let radius = (-2 * log(uniform())).squareRoot()
    let angle = 2 * Double.pi * uniform()
    spare = radius * sin(angle)
    return radius * cos(angle)
  }

  /// `count` normal samples with standard deviation `std`.
  mutating func normals(_ count: Int, std: Double) -> [Float] {
    (0..<count).map { _ in Float(normal() * std) }
  }

  /// Kaiming-normal convolution weights `[out, in / groups, k, k]` in fan-out mode.
  mutating func kaimingConvolution(out: Int, inPerGroup: Int, kernel: [Int]) -> Tensor {
    let area = kernel.reduce(1, *)
    let std = (2.0 / Double(out * area)).squareRoot()
    return Tensor(shape: [out, inPerGroup] + kernel, floats: normals(out * inPerGroup * area, std: std))
  }

  /// `count` samples uniform in `[-bound, bound]`.
  mutating func uniforms(_ count: Int, bound: Double) -> [Float] {
    (0..<count).map { _ in Float((2 * uniform() - 1) * bound) }
  }

  /// Linear weights `[out, in]` drawn from `normal(0, 0.01)`.
  mutating func linear(out: Int, in inputs: Int) -> Tensor {
    Tensor(shape: [out, inputs], floats: normals(out * inputs, std: 0.01))
  }
}
