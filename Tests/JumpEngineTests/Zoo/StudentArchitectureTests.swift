import Testing

@testable import JumpEngine

/// The student zoo: published parameter counts, output shapes, width rounding and seeded initialization.
@Suite("Zoo: student architectures")
struct StudentArchitectureTests {
  static func parameters(_ model: Model) throws -> Int { try TrainableGraph(model: model).parameterCount }

  @Test("MobileNetV3-Small and -Large at width 1, 1000 classes, 224x224 have torchvision's parameter counts")
  func publishedCounts() throws {
    let small = try StudentArchitecture.mobilenetv3_small.build(sampleShape: [3, 224, 224], classes: 1000)
    #expect(try Self.parameters(small) == 2_542_856)
    #expect(small.outputs[0].shape.last == .fixed(1000))
    let large = try StudentArchitecture.mobilenetv3_large.build(sampleShape: [3, 224, 224], classes: 1000)
    #expect(try Self.parameters(large) == 5_483_032)
  }

  @Test("channels are rounded to multiples of 8 with _make_divisible's 10% rule")
  func makeDivisibleRule() {
    #expect(makeDivisible(16 * 0.5) == 8)
    #expect(makeDivisible(16 * 0.25) == 8)
    #expect(makeDivisible(72 * 0.75) == 56)
    #expect(makeDivisible(88 * 0.35) == 32)
    #expect(makeDivisible(1024 * 0.5) == 512)
  }

  @Test("every architecture maps the teacher's input to its classes, with depthwise and SE where expected")
  func shapes() throws {
    for architecture in StudentArchitecture.allCases {
      let model = try architecture.build(
        sampleShape: [1, 32, 32], classes: 10, options: StudentOptions(width: 0.25), seed: 3)
      #expect(model.inputs[0].shape.dropFirst().map(\.value) == [1, 32, 32], "\(architecture)")
      #expect(model.outputs[0].shape == [.symbolic("batch"), .fixed(10)], "\(architecture)")
    }
    let small = try StudentArchitecture.mobilenetv3_small.build(sampleShape: [1, 32, 32], classes: 10)
    #expect(small.graph.nodes.contains { if case .hardSigmoid = $0.op { true } else { false } })
    #expect(small.graph.nodes.contains { if case .conv(let a) = $0.op { a.group > 1 } else { false } })
  }

  @Test("width and depth change the size; mlp takes its hidden layers")
  func options() throws {
    let half = try Self.parameters(
      StudentArchitecture.mobilenetv3_small.build(
        sampleShape: [1, 32, 32], classes: 10, options: StudentOptions(width: 0.5)))
    let full = try Self.parameters(
      StudentArchitecture.mobilenetv3_small.build(sampleShape: [1, 32, 32], classes: 10))
    #expect(half < full / 2)
    let shallow = try Self.parameters(
      StudentArchitecture.dscnn.build(
        sampleShape: [1, 32, 32], classes: 10, options: StudentOptions(depth: 2)))
    let deep = try Self.parameters(
      StudentArchitecture.dscnn.build(
        sampleShape: [1, 32, 32], classes: 10, options: StudentOptions(depth: 4)))
    #expect(shallow < deep)
    let mlp = try StudentArchitecture.mlp.build(
      sampleShape: [1, 8, 8], classes: 10, options: StudentOptions(hidden: [32]))
    #expect(try Self.parameters(mlp) == 64 * 32 + 32 + 32 * 10 + 10)
  }

  @Test("the same seed gives the same weights; another seed other weights")
  func seeded() throws {
    let a = try StudentArchitecture.cnn.build(sampleShape: [1, 16, 16], classes: 4, seed: 7)
    let b = try StudentArchitecture.cnn.build(sampleShape: [1, 16, 16], classes: 4, seed: 7)
    let c = try StudentArchitecture.cnn.build(sampleShape: [1, 16, 16], classes: 4, seed: 8)
    #expect(a == b)
    #expect(a != c)
  }

  @Test("Kaiming fan-out initialization has the expected spread")
  func kaimingSpread() {
    var initializer = WeightInitializer(seed: 1)
    let weights = initializer.kaimingConvolution(out: 64, inPerGroup: 32, kernel: [3, 3]).asFloats()
    let variance = weights.reduce(0.0) { $0 + Double($1 * $1) } / Double(weights.count)
    #expect(abs(variance - 2.0 / (64 * 9)) < 0.1 * 2.0 / (64 * 9))
  }

  @Test("bad options are refused with the reason")
  func badInput() {
    #expect(throws: EngineError.self) {
      try StudentArchitecture.mobilenetv3_small.build(
        sampleShape: [1, 32, 32], classes: 10, options: StudentOptions(width: 5))
    }
    #expect(throws: EngineError.self) {
      try StudentArchitecture.mobilenetv3_small.build(sampleShape: [64], classes: 10)
    }
    #expect(throws: EngineError.self) {
      try StudentArchitecture.mlp.build(sampleShape: [4], classes: 10, options: StudentOptions(hidden: [0]))
    }
  }
}
