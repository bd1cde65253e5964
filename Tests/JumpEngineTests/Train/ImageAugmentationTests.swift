import Testing

@testable import JumpEngine

/// Random crop with zero padding and horizontal flip on `[N, C, H, W]` batches, seeded.
@Suite("Training: image augmentation")
struct ImageAugmentationTests {
  /// Two samples of two `3×4` channels holding `100 * sample + 10 * channel + position`.
  static func batch() -> Tensor {
    var values: [Float] = []
    for n in 0..<2 {
      for c in 0..<2 {
        for position in 0..<12 { values.append(Float(100 * n + 10 * c + position)) }
      }
    }
    return Tensor(shape: [2, 2, 3, 4], floats: values)
  }

  @Test("off, a batch passes through untouched")
  func identityWhenOff() throws {
    var augmenter = ImageAugmentation.none.augmenter(seed: 1, epoch: 1)
    #expect(try augmenter.apply(Self.batch()) == Self.batch())
    let still = ImageAugmentation.Draw(dy: 0, dx: 0, flip: false)
    #expect(try ImageAugmentation.apply(Self.batch(), draws: [still, still]) == Self.batch())
  }

  @Test("a flip mirrors every row of every channel exactly")
  func flipsExactly() throws {
    let flip = ImageAugmentation.Draw(dy: 0, dx: 0, flip: true)
    let still = ImageAugmentation.Draw(dy: 0, dx: 0, flip: false)
    let out = try ImageAugmentation.apply(Self.batch(), draws: [flip, still]).asFloats()
    let x = Self.batch().asFloats()
    for c in 0..<2 {
      for y in 0..<3 {
        for col in 0..<4 {
          #expect(out[(c * 3 + y) * 4 + col] == x[(c * 3 + y) * 4 + 3 - col])
          #expect(out[24 + (c * 3 + y) * 4 + col] == x[24 + (c * 3 + y) * 4 + col])
        }
      }
    }
  }

  @Test("a crop shifts by the drawn offsets and fills with zeros")
  func cropsShift() throws {
    let shift = ImageAugmentation.Draw(dy: 1, dx: -2, flip: false)
    let out = try ImageAugmentation.apply(Self.batch(), draws: [shift, shift]).asFloats()
    let x = Self.batch().asFloats()
    for plane in 0..<4 {
      for y in 0..<3 {
        for col in 0..<4 {
          let (sy, sx) = (y + 1, col - 2)
          let expected = sy < 3 && sx >= 0 ? x[plane * 12 + sy * 4 + sx] : 0
          #expect(out[plane * 12 + y * 4 + col] == expected, "plane \(plane) (\(y), \(col))")
        }
      }
    }
  }

  @Test("draws repeat with the seed, differ between epochs, and stay within the padding")
  func seededDraws() {
    let both = ImageAugmentation(crop: true, flip: true)
    var a = both.augmenter(seed: 5, epoch: 1)
    var b = both.augmenter(seed: 5, epoch: 1)
    var c = both.augmenter(seed: 5, epoch: 2)
    let first = a.draws(count: 64)
    #expect(first == b.draws(count: 64))
    #expect(first != c.draws(count: 64))
    #expect(first.allSatisfy { abs($0.dy) <= 4 && abs($0.dx) <= 4 })
    #expect(Set(first.map(\.dx)).count == 9 && first.contains { $0.flip } && first.contains { !$0.flip })
    var flipOnly = ImageAugmentation(crop: false, flip: true).augmenter(seed: 5, epoch: 1)
    #expect(flipOnly.draws(count: 16).allSatisfy { $0.dy == 0 && $0.dx == 0 })
  }

  @Test("samples that are not images are refused")
  func notImages() {
    var augmenter = ImageAugmentation(crop: true, flip: false).augmenter(seed: 0, epoch: 1)
    let error = #expect(throws: EngineError.self) {
      try augmenter.apply(Tensor(shape: [2, 8], floats: [Float](repeating: 0, count: 16)))
    }
    #expect(error?.message.contains("needs image samples [C, H, W]") == true)
  }

  @Test("augmented QAT repeats with the seed and differs from the plain run")
  func augmentedTrainingIsSeeded() throws {
    let model = try QATGraphTests.model()
    let data = try QATGraphTests.dataset()
    let ranges = try QATGraphTests.ranges(model, data)
    var configuration = QATGraphTests.configuration(epochs: 2)
    let plain = try QuantizationAwareTraining.run(
      model, ranges: ranges, on: data, options: QATOptions(), configuration: configuration)
    configuration.augmentation = ImageAugmentation(crop: true, flip: true, padding: 1)
    let first = try QuantizationAwareTraining.run(
      model, ranges: ranges, on: data, options: QATOptions(), configuration: configuration)
    let second = try QuantizationAwareTraining.run(
      model, ranges: ranges, on: data, options: QATOptions(), configuration: configuration)
    #expect(first.floatModel.graph.initializers == second.floatModel.graph.initializers)
    #expect(first.floatModel.graph.initializers != plain.floatModel.graph.initializers)
  }
}
