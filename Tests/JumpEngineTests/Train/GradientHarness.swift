import Foundation
import Testing

@testable import JumpEngine

/// SplitMix64: a small seeded generator, so every test draws the same numbers on every run.
struct SeededRandom: RandomNumberGenerator {
  /// The generator state.
  var state: UInt64

  /// The next 64 random bits.
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// `count` uniform floats in `range`.
  mutating func floats(_ count: Int, in range: ClosedRange<Float> = -1...1) -> [Float] {
    (0..<count).map { _ in Float.random(in: range, using: &self) }
  }

  /// A float tensor of uniform values in `range`.
  mutating func tensor(_ shape: [Int], in range: ClosedRange<Float> = -1...1) -> Tensor {
    Tensor(shape: shape, floats: floats(shape.reduce(1, *), in: range))
  }

  /// Values at least `margin` away from every point of `kinks` (where an activation's slope jumps).
  mutating func tensor(
    _ shape: [Int], in range: ClosedRange<Float>, avoiding kinks: [Float], margin: Float
  )
    -> Tensor
  {
    let values = (0..<shape.reduce(1, *)).map { _ in
      var v: Float
      repeat { v = Float.random(in: range, using: &self) } while kinks.contains { abs(v - $0) < margin }
      return v
    }
    return Tensor(shape: shape, floats: values)
  }

  /// Distinct values spaced `gap` apart in random order (so a max never ties and a small step never
  /// changes which element wins).
  mutating func distinct(_ shape: [Int], gap: Float = 0.05) -> Tensor {
    let count = shape.reduce(1, *)
    let values = (0..<count).map { Float($0) * gap - Float(count) * gap / 2 }.shuffled(using: &self)
    return Tensor(shape: shape, floats: values)
  }
}

/// Compares backward-pass gradients with central finite differences of `loss = sum(r * y)` for a fixed
/// random `r`, the loss accumulated in `Double`.
enum GradientHarness {
  /// A model of one node reading the input `x` and the given initializers, writing `y`.
  static func model(
    _ op: Op, inputs: [String], inputShape: [Int], initializers: [String: Tensor] = [:]
  ) throws -> Model {
    let graph = Graph(
      name: "check", inputs: [ValueInfo(name: "x", fixedShape: inputShape)],
      outputs: [ValueInfo(name: "y", shape: [])],
      nodes: [Node(name: "node", op: op, inputs: inputs, outputs: ["y"])], initializers: initializers,
      opset: 17)
    return try Model.resolving(graph, provenance: ModelProvenance(opset: 17))
  }

  /// The relative error of the analytic gradient of the input and of every trainable parameter:
  /// `max|analytic - numeric| / max(max|numeric|, max|analytic|, 1e-3)` per tensor.
  ///
  /// With `maxElements`, only that many elements per tensor are perturbed (the largest analytic ones
  /// first, then random ones); `names` restricts the parameters checked.
  static func errors(
    _ model: Model, input: Tensor, mode: TrainingMode = .inference, additional: Set<String> = [],
    step: Float = 1e-2, maxElements: Int? = nil, names: [String]? = nil, checksInput: Bool = true,
    seed: UInt64 = 7, objective: ((Tensor) throws -> LossResult)? = nil
  ) throws -> [String: Double] {
    var random = SeededRandom(state: seed)
    let graph = try TrainableGraph(model: model, additional: additional)
    let pass = try graph.forward(input, mode: mode)
    let weights = pass.outputs.map { random.tensor($0.shape) }
    let seeds = try objective.map { [try $0(pass.outputs[0]).gradient] } ?? weights
    let gradients = try graph.backward(pass, outputGradients: seeds, wantsInput: checksInput)
    func loss(_ g: TrainableGraph, _ x: Tensor) throws -> Double {
      let outputs = try g.forward(x, mode: mode).outputs
      if let objective { return try objective(outputs[0]).value }
      var total: Double = 0
      for (output, weight) in zip(outputs, weights) {
        for (y, r) in zip(output.asFloats(), weight.asFloats()) { total += Double(y) * Double(r) }
      }
      return total
    }
    var result: [String: Double] = [:]
    if checksInput {
      let analytic = try #require(gradients.input).asFloats()
      let indices = chosen(analytic, maxElements, &random)
      var numeric: [Double] = []
      for i in indices {
        var plus = input.asFloats()
        var minus = plus
        plus[i] += step
        minus[i] -= step
        let difference =
          try loss(graph, Tensor(shape: input.shape, floats: plus))
          - loss(graph, Tensor(shape: input.shape, floats: minus))
        numeric.append(difference / Double(2 * step))
      }
      result["input"] = relativeError(indices.map { Double(analytic[$0]) }, numeric)
    }
    for name in names ?? gradients.names {
      let analytic = try #require(gradients[name]).asFloats()
      let original = try #require(graph.value(of: name))
      let indices = chosen(analytic, maxElements, &random)
      var numeric: [Double] = []
      for i in indices {
        var values = original.asFloats()
        var g = graph
        values[i] = original.asFloats()[i] + step
        try g.setValue(Tensor(shape: original.shape, floats: values), of: name)
        let up = try loss(g, input)
        values[i] = original.asFloats()[i] - step
        try g.setValue(Tensor(shape: original.shape, floats: values), of: name)
        let down = try loss(g, input)
        numeric.append((up - down) / Double(2 * step))
      }
      result[name] = relativeError(indices.map { Double(analytic[$0]) }, numeric)
    }
    return result
  }

  /// Every index, or the `limit` largest-magnitude ones followed by random ones.
  static func chosen(_ values: [Float], _ limit: Int?, _ random: inout SeededRandom) -> [Int] {
    guard let limit, limit < values.count else { return Array(values.indices) }
    let largest = values.indices.sorted { abs(values[$0]) > abs(values[$1]) }.prefix(limit / 2)
    var result = Array(largest)
    while result.count < limit {
      let i = Int.random(in: 0..<values.count, using: &random)
      if !result.contains(i) { result.append(i) }
    }
    return result
  }

  /// `max|a - n| / max(max|n|, max|a|, 1e-3)`.
  static func relativeError(_ analytic: [Double], _ numeric: [Double]) -> Double {
    var difference = 0.0
    var scale = 1e-3
    for (a, n) in zip(analytic, numeric) {
      difference = max(difference, abs(a - n))
      scale = max(scale, abs(a), abs(n))
    }
    return difference.isNaN ? .infinity : difference / scale
  }

  /// Expects every error below `tolerance`, naming the case.
  static func expectSmall(_ errors: [String: Double], _ label: String, tolerance: Double = 1e-2) {
    #expect(!errors.isEmpty, "\(label): nothing was checked")
    for (name, error) in errors.sorted(by: { $0.key < $1.key }) {
      #expect(error < tolerance, "\(label): gradient of \(name) has relative error \(error)")
    }
  }
}
