import Testing

@testable import JumpEngine

/// Backward rules of pooling, reductions, softmax and the data-movement ops against central finite
/// differences.
@Suite("Training: pooling, reduction and shape gradients")
struct ReductionGradientTests {
  static let pools: [PoolAttributes] = [
    PoolAttributes(kernel: [2, 2], strides: [2, 2]),
    PoolAttributes(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]),
    PoolAttributes(kernel: [3, 2], strides: [1, 2], pads: [0, 1, 1, 0], ceilMode: true),
    PoolAttributes(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true),
    PoolAttributes(kernel: [2, 3], strides: [2, 1], ceilMode: true, countIncludePad: true),
  ]

  @Test("MaxPool and AveragePool", arguments: 0..<pools.count)
  func pool(index: Int) throws {
    var random = SeededRandom(state: UInt64(600 + index))
    let shape = [2, 3, 7, 6]
    var maxAttributes = Self.pools[index]
    maxAttributes.countIncludePad = false
    if index == 1 { maxAttributes.dilations = [2, 1] }
    let max = try GradientHarness.model(.maxPool(maxAttributes), inputs: ["x"], inputShape: shape)
    GradientHarness.expectSmall(
      try GradientHarness.errors(max, input: random.distinct(shape), step: 1e-2), "max pool \(maxAttributes)")
    let average = try GradientHarness.model(.averagePool(Self.pools[index]), inputs: ["x"], inputShape: shape)
    GradientHarness.expectSmall(
      try GradientHarness.errors(average, input: random.tensor(shape)), "average pool \(Self.pools[index])")
  }

  @Test("1-D pooling")
  func pool1d() throws {
    var random = SeededRandom(state: 650)
    let attributes = PoolAttributes(kernel: [3], strides: [2], pads: [1, 1])
    for op in [Op.maxPool(attributes), .averagePool(attributes)] {
      let model = try GradientHarness.model(op, inputs: ["x"], inputShape: [2, 3, 9])
      GradientHarness.expectSmall(
        try GradientHarness.errors(model, input: random.distinct([2, 3, 9])), "\(op)")
    }
  }

  static let reductions: [Op] = [
    .globalAveragePool, .reduceMean(axes: [2, 3], keepDims: true), .reduceMean(axes: [1], keepDims: false),
    .reduceMean(axes: [-1, 1], keepDims: true), .reduceMean(axes: nil, keepDims: false),
    .softmax(axis: 1), .softmax(axis: -1), .softmax(axis: 2),
  ]

  @Test("GlobalAveragePool, ReduceMean, Softmax", arguments: 0..<reductions.count)
  func reduction(index: Int) throws {
    var random = SeededRandom(state: UInt64(700 + index))
    let shape = [2, 3, 4, 5]
    let model = try GradientHarness.model(Self.reductions[index], inputs: ["x"], inputShape: shape)
    GradientHarness.expectSmall(
      try GradientHarness.errors(model, input: random.tensor(shape, in: -2...2)), "\(Self.reductions[index])")
  }

  static let movements: [Op] = [
    .flatten(axis: 1), .flatten(axis: 2), .reshape(shape: [2, -1, 5], allowZero: false),
    .reshape(shape: [0, 12, 5], allowZero: false), .squeeze(axes: nil), .unsqueeze(axes: [0, 3]),
    .transpose(perm: [0, 2, 3, 1]), .transpose(perm: nil),
  ]

  @Test("Flatten, Reshape, Squeeze, Unsqueeze, Transpose", arguments: 0..<movements.count)
  func movement(index: Int) throws {
    var random = SeededRandom(state: UInt64(800 + index))
    let op = Self.movements[index]
    let shape = op == .squeeze(axes: nil) ? [2, 1, 4, 1] : [2, 3, 4, 5]
    let model = try GradientHarness.model(op, inputs: ["x"], inputShape: shape)
    GradientHarness.expectSmall(try GradientHarness.errors(model, input: random.tensor(shape)), "\(op)")
  }

  @Test("Concat along several axes, input and constants mixed", arguments: [0, 1, 3, -1])
  func concat(axis: Int) throws {
    var random = SeededRandom(state: 900)
    let shape = [2, 3, 4, 5]
    var other = shape
    other[axis < 0 ? axis + 4 : axis] = 2
    let model = try GradientHarness.model(
      .concat(axis: axis), inputs: ["c", "x", "d"], inputShape: shape,
      initializers: ["c": random.tensor(other), "d": random.tensor(shape)])
    GradientHarness.expectSmall(
      try GradientHarness.errors(model, input: random.tensor(shape), additional: ["c", "d"]), "concat \(axis)"
    )
  }
}
