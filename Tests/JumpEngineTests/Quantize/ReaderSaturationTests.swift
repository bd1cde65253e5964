import Foundation
import Testing

@testable import JumpEngine

/// A producer read only by an op that saturates spends its codes where the reader still tells values apart.
@Suite("Quantize: reader saturation")
struct ReaderSaturationTests {
  typealias S = QuantizeTestSupport

  /// `c = Conv1x1(x)` (4 → 4 channels), then `reader` nodes.
  static func model(_ readers: [Node], output: String = "y") throws -> Model {
    try S.model(
      input: [4, 3, 3], output: output,
      nodes: [
        Node(
          name: "conv", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["x", "w", "b"], outputs: ["c"])
      ] + readers,
      initializers: ["w": S.tensor([4, 4, 1, 1], seed: 3), "b": S.tensor([4], seed: 4, scale: 0.1)])
  }

  /// The real values of the lowest and highest codes of `name`.
  static func representable(_ graph: QuantizedGraph, _ name: String) throws -> (low: Float, high: Float) {
    let q = try #require(try graph.tensor(name).quantization)
    return ((-128 - Float(q.zeroPoint)) * q.scale, (127 - Float(q.zeroPoint)) * q.scale)
  }

  @Test("a convolution read only by HARD_SWISH starts its range one step below -3")
  func hardSwish() throws {
    let lowered = try Lowering.lower(
      try Self.model([Node(name: "hs", op: .hardSwish, inputs: ["c"], outputs: ["y"])]))
    let graph = try Quantizer.quantize(lowered, ranges: ["x": -1...1, "c": -8...4, "y": -0.375...4])
    let (low, high) = try Self.representable(graph, "c")
    let step = try #require(try graph.tensor("c").quantization?.scale)
    #expect(low <= -3 && low >= -3 - 2 * step, "lowest code \(low)")
    #expect(high >= 4 - step)
    #expect(step < 7.5 / 255, "a finer step than the observed [-8, 4] gives")
    // Every input below -3 gives HardSwish's 0, as the clamped code does.
    let x = S.tensor([16, 4, 3, 3], seed: 9, scale: 3)
    let simulated = try SimulationExecutor(graph: graph, batchSize: 16).run(input: x)[0].asFloats()
    let integer = try IntegerExecutor(graph: graph, batchSize: 16).run(input: x)[0].asFloats()
    let outputStep = try #require(try graph.tensor("y").quantization?.scale)
    for (a, b) in zip(simulated, integer) { #expect(abs(a - b) <= outputStep * 1.0001) }
  }

  @Test("a convolution read only by HardSigmoid's relu6(x + 3) keeps about [-3, 3]")
  func hardSigmoid() throws {
    let lowered = try Lowering.lower(
      try Self.model([
        Node(name: "hsig", op: .hardSigmoid(alpha: 1.0 / 6, beta: 0.5), inputs: ["c"], outputs: ["y"])
      ]))
    let graph = try Quantizer.quantize(lowered, ranges: ["x": -1...1, "c": -9...8, "y": 0...1])
    let (low, high) = try Self.representable(graph, "c")
    let step = try #require(try graph.tensor("c").quantization?.scale)
    #expect(low <= -3 && low >= -3 - 2 * step, "lowest code \(low)")
    #expect(high >= 3 && high <= 3 + 2 * step, "highest code \(high)")
  }

  @Test("a producer with a second reader, or read by an op that does not saturate, keeps its range")
  func otherReaders() throws {
    let shared = try Lowering.lower(
      try Self.model(
        [
          Node(name: "hs", op: .hardSwish, inputs: ["c"], outputs: ["h"]),
          Node(name: "sum", op: .add, inputs: ["c", "h"], outputs: ["y"]),
        ]))
    let graph = try Quantizer.quantize(
      shared, ranges: ["x": -1...1, "c": -8...4, "h": -0.375...4, "y": -8...8])
    let low = try Self.representable(graph, "c").low
    #expect(abs(low + 8) < 0.05, "lowest code \(low)")
    let plain = try Lowering.lower(
      try Self.model([Node(name: "p", op: .sigmoid, inputs: ["c"], outputs: ["y"])]))
    let sigmoid = try Quantizer.quantize(plain, ranges: ["x": -1...1, "c": -8...4, "y": 0...1])
    #expect(abs(try Self.representable(sigmoid, "c").low + 8) < 0.05)
  }

  @Test("with narrowsToReaders off (QAT's conversion) the observed range is kept")
  func turnedOff() throws {
    let lowered = try Lowering.lower(
      try Self.model([Node(name: "hs", op: .hardSwish, inputs: ["c"], outputs: ["y"])]))
    let graph = try Quantizer.quantize(
      lowered, ranges: ["x": -1...1, "c": -8...4, "y": -0.375...4],
      options: QuantizationOptions(narrowsToReaders: false))
    #expect(abs(try Self.representable(graph, "c").low + 8) < 0.05)
  }

  @Test("distinguished ranges: HARD_SWISH, ADD and SUB of a scalar with a clamp; nothing otherwise")
  func distinguishedRanges() {
    let constants: [String: [Float]] = ["three": [3, 3], "mixed": [1, 2]]
    let lookup = { (name: String) in constants[name] }
    func node(_ op: QuantizedOp, _ inputs: [String]) -> QuantizedNode {
      QuantizedNode(name: "n", op: op, inputs: inputs, outputs: ["y"])
    }
    #expect(
      ReaderSaturation.distinguishedRange(of: node(.hardSwish, ["a"]), input: 0, constant: lookup)
        == -3...Float.infinity)
    #expect(
      ReaderSaturation.distinguishedRange(
        of: node(.add(activation: .relu6), ["a", "three"]), input: 0, constant: lookup) == -3...3)
    #expect(
      ReaderSaturation.distinguishedRange(
        of: node(.add(activation: .relu6), ["three", "a"]), input: 1, constant: lookup) == -3...3)
    #expect(
      ReaderSaturation.distinguishedRange(
        of: node(.sub(activation: .relu), ["a", "three"]), input: 0, constant: lookup)
        == 3...Float.infinity)
    #expect(
      ReaderSaturation.distinguishedRange(
        of: node(.add(activation: .none), ["a", "three"]), input: 0, constant: lookup) == nil)
    #expect(
      ReaderSaturation.distinguishedRange(
        of: node(.add(activation: .relu6), ["a", "mixed"]), input: 0, constant: lookup) == nil)
    #expect(
      ReaderSaturation.distinguishedRange(
        of: node(.add(activation: .relu6), ["a", "b"]), input: 0, constant: lookup) == nil)
  }

  @Test("narrowing cuts to the distinguished range plus one step, keeps zero, and never widens")
  func narrowing() {
    let cut = ReaderSaturation.narrow(-8...4, to: -3...Float.infinity)
    #expect(abs(cut.lowerBound - (-3 - 7.0 / 254)) < 1e-6)
    #expect(cut.upperBound == 4)
    #expect(ReaderSaturation.narrow(-2...4, to: -3...Float.infinity) == -2...4)
    #expect(ReaderSaturation.narrow(1...2, to: -3...3) == 0...2)
    #expect(ReaderSaturation.narrow(5...9, to: -3...3) == 5...9, "disjoint: left as observed")
  }
}
