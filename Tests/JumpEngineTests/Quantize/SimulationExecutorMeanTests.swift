import Foundation
import Testing

@testable import JumpEngine

/// The simulation runs an integer MEAN with the device's arithmetic, double rounding included.
@Suite("Quantize: simulated MEAN")
struct SimulationExecutorMeanTests {
  typealias S = QuantizeTestSupport

  /// `y = GlobalAveragePool(x)` over `[8, 4, 4]`, quantized with an output range much narrower than the
  /// input's (`s_in / s_out` about 4.5, as after a squeeze-excite HardSwish), so the kernel's final shift is 1.
  static func graph() throws -> QuantizedGraph {
    let model = try S.model(
      input: [8, 4, 4],
      nodes: [Node(name: "gap", op: .globalAveragePool, inputs: ["x"], outputs: ["y"])], initializers: [:])
    return try Quantizer.quantize(try Lowering.lower(model), ranges: ["x": -0.37...6.3, "y": -0.3...1.15])
  }

  @Test("simulated and integer MEAN agree exactly, and differ from a single rounding of the float mean")
  func deviceArithmetic() throws {
    let graph = try Self.graph()
    let x = S.tensor([32, 8, 4, 4], seed: 21, scale: 0.8, offset: 0.35)
    let simulated = try SimulationExecutor(graph: graph, batchSize: 32).run(input: x)[0].asFloats()
    let integer = try IntegerExecutor(graph: graph, batchSize: 32).run(input: x)[0].asFloats()
    #expect(simulated == integer)
    // The float mean of the grid inputs rounded once: the kernel's double rounding moves some outputs up.
    let input = try #require(try graph.tensor("x").quantization)
    let output = try #require(try graph.tensor("y").quantization)
    let values = x.floats ?? []
    var moved = 0
    var bias = 0.0
    for o in 0..<(32 * 8) {
      var sum: Float = 0
      for k in 0..<16 {
        let q = (values[o * 16 + k] / input.scale).rounded() + Float(input.zeroPoint)
        sum += (min(max(q, -128), 127) - Float(input.zeroPoint)) * input.scale
      }
      let once = (sum / 16 / output.scale).rounded() * output.scale
      if abs(integer[o] - once) > output.scale / 2 { moved += 1 }
      bias += Double((integer[o] - sum / 16) / output.scale)
    }
    #expect(moved > 0, "no output differs from a single rounding")
    #expect(bias / 256 > 0.05, "the positive means are not biased upward (\(bias / 256) steps)")
  }

  @Test("with activations left unquantized, MEAN stays the float mean")
  func floatActivations() throws {
    let graph = try Self.graph()
    let x = S.tensor([4, 8, 4, 4], seed: 5)
    let simulated = try SimulationExecutor(graph: graph, batchSize: 4, quantizeActivations: false)
      .run(input: x)[0].asFloats()
    let values = x.floats ?? []
    for o in 0..<(4 * 8) {
      let mean = values[(o * 16)..<((o + 1) * 16)].reduce(0, +) / 16
      #expect(abs(simulated[o] - mean) < 1e-5)
    }
  }
}
