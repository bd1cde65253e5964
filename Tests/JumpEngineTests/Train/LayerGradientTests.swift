import Testing

@testable import JumpEngine

/// Backward rules of the weighted layers against central finite differences, on random shapes and
/// attributes (fixed seeds).
@Suite("Training: layer gradients")
struct LayerGradientTests {
  @Test("Conv: groups, depthwise, strides, pads, dilations, with and without bias", arguments: 0..<12)
  func conv(seed: UInt64) throws {
    var random = SeededRandom(state: seed)
    let batch = Int.random(in: 1...2, using: &random)
    let kind = seed % 4  // 0 dense, 1 grouped, 2 depthwise, 3 depthwise with multiplier 2
    let inChannels = kind == 0 ? Int.random(in: 1...3, using: &random) : 4
    let group = kind == 0 ? 1 : (kind == 1 ? 2 : inChannels)
    let outChannels =
      kind == 0 ? Int.random(in: 1...3, using: &random) : (kind == 3 ? 8 : (kind == 1 ? 4 : 4))
    let kernel = [Int.random(in: 1...3, using: &random), Int.random(in: 1...3, using: &random)]
    let strides = [Int.random(in: 1...2, using: &random), Int.random(in: 1...2, using: &random)]
    let dilations = [Int.random(in: 1...2, using: &random), Int.random(in: 1...2, using: &random)]
    let pads = (0..<4).map { _ in Int.random(in: 0...1, using: &random) }
    let (height, width) = (Int.random(in: 5...7, using: &random), Int.random(in: 5...7, using: &random))
    let withBias = seed % 3 != 0
    var initializers = [
      "w": random.tensor([outChannels, inChannels / group] + kernel)
    ]
    if withBias { initializers["b"] = random.tensor([outChannels]) }
    let attributes = ConvAttributes(
      kernel: kernel, strides: strides, pads: pads, dilations: dilations, group: group)
    let model = try GradientHarness.model(
      .conv(attributes), inputs: withBias ? ["x", "w", "b"] : ["x", "w"],
      inputShape: [batch, inChannels, height, width], initializers: initializers)
    let input = random.tensor([batch, inChannels, height, width])
    GradientHarness.expectSmall(try GradientHarness.errors(model, input: input), "conv \(attributes)")
  }

  @Test("Conv 1-D and pointwise")
  func conv1dAndPointwise() throws {
    var random = SeededRandom(state: 99)
    let oneD = try GradientHarness.model(
      .conv(ConvAttributes(kernel: [3], strides: [2], pads: [1, 0], dilations: [1])),
      inputs: ["x", "w", "b"],
      inputShape: [2, 3, 9], initializers: ["w": random.tensor([4, 3, 3]), "b": random.tensor([4])])
    GradientHarness.expectSmall(
      try GradientHarness.errors(oneD, input: random.tensor([2, 3, 9])), "conv 1-D")
    let pointwise = try GradientHarness.model(
      .conv(ConvAttributes(kernel: [1, 1])), inputs: ["x", "w"], inputShape: [2, 3, 4, 5],
      initializers: ["w": random.tensor([5, 3, 1, 1])])
    GradientHarness.expectSmall(
      try GradientHarness.errors(pointwise, input: random.tensor([2, 3, 4, 5])), "conv 1x1")
  }

  @Test("Gemm: transposes, alpha, beta and every C shape", arguments: 0..<10)
  func gemm(seed: UInt64) throws {
    var random = SeededRandom(state: 100 + seed)
    let (m, n, k) = (Int.random(in: 1...4, using: &random), Int.random(in: 1...4, using: &random), 3)
    let attributes = GemmAttributes(
      alpha: Float.random(in: 0.5...2, using: &random), beta: Float.random(in: 0.5...2, using: &random),
      transA: seed % 2 == 1, transB: (seed / 2) % 2 == 1)
    let cShapes: [[Int]?] = [nil, [n], [1, n], [m, 1], [m, n], []]
    let cShape = cShapes[Int(seed) % cShapes.count]
    var initializers = ["b": random.tensor(attributes.transB ? [n, k] : [k, n])]
    if let cShape { initializers["c"] = random.tensor(cShape) }
    let aShape = attributes.transA ? [k, m] : [m, k]
    let model = try GradientHarness.model(
      .gemm(attributes), inputs: cShape == nil ? ["x", "b"] : ["x", "b", "c"], inputShape: aShape,
      initializers: initializers)
    GradientHarness.expectSmall(
      try GradientHarness.errors(model, input: random.tensor(aShape)), "gemm \(attributes) C \(cShape ?? [])")
  }

  @Test(
    "MatMul: batched, broadcast and 1-D operands",
    arguments: [
      ([2, 3, 4], [4, 5]), ([3, 4], [2, 4, 5]), ([2, 3, 4], [4]), ([2, 1, 3, 4], [3, 4, 2]), ([4], [4, 3]),
    ])
  func matMul(a: [Int], b: [Int]) throws {
    var random = SeededRandom(state: 200)
    let model = try GradientHarness.model(
      .matMul, inputs: ["x", "b"], inputShape: a, initializers: ["b": random.tensor(b)])
    GradientHarness.expectSmall(
      try GradientHarness.errors(model, input: random.tensor(a)), "matmul \(a) \(b)")
  }

  @Test("BatchNormalization in training and inference mode", arguments: [[2, 3, 4, 5], [4, 3], [3, 2, 6]])
  func batchNorm(shape: [Int]) throws {
    var random = SeededRandom(state: 300)
    let channels = shape[1]
    let model = try GradientHarness.model(
      .batchNormalization(epsilon: 1e-5), inputs: ["x", "scale", "bias", "mean", "var"], inputShape: shape,
      initializers: [
        "scale": random.tensor([channels], in: 0.5...1.5), "bias": random.tensor([channels]),
        "mean": random.tensor([channels]), "var": random.tensor([channels], in: 0.5...2),
      ])
    let input = random.tensor(shape, in: -2...2)
    for mode in [TrainingMode.training, .inference] {
      GradientHarness.expectSmall(
        try GradientHarness.errors(model, input: input, mode: mode, step: 1e-2), "batch norm \(shape) \(mode)"
      )
    }
  }

  @Test("BatchNormalization training pass updates the running statistics by momentum")
  func runningStatistics() throws {
    let model = try GradientHarness.model(
      .batchNormalization(epsilon: 1e-5), inputs: ["x", "scale", "bias", "mean", "var"], inputShape: [4, 1],
      initializers: [
        "scale": Tensor(shape: [1], floats: [1]), "bias": Tensor(shape: [1], floats: [0]),
        "mean": Tensor(shape: [1], floats: [1]), "var": Tensor(shape: [1], floats: [1]),
      ])
    var graph = try TrainableGraph(model: model)
    #expect(graph.parameterNames == ["bias", "scale"])
    #expect(graph.bufferNames == ["mean", "var"])
    let pass = try graph.forward(Tensor(shape: [4, 1], floats: [1, 2, 3, 4]), mode: .training)
    // Batch mean 2.5, biased variance 1.25 (used to normalize), unbiased 5/3 (mixed into the running one).
    let y = try #require(pass.outputs.first?.floats)
    #expect(abs(y[0] - (1 - 2.5) / (1.25 + 1e-5).squareRoot()) < 1e-5)
    graph.updateRunningStatistics(from: pass)
    #expect(abs((graph.value(of: "mean")?.floats?[0] ?? 0) - (0.9 * 1 + 0.1 * 2.5)) < 1e-6)
    #expect(abs((graph.value(of: "var")?.floats?[0] ?? 0) - (0.9 * 1 + 0.1 * 5 / 3)) < 1e-6)
  }
}
