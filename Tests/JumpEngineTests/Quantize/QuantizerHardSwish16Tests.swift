import Foundation
import Testing

@testable import JumpEngine

/// HARD_SWISH in int16x8 becomes int16 ADD / MUL / MUL, which TFLite Micro runs.
@Suite("Quantize: int16x8 HARD_SWISH")
struct QuantizerHardSwish16Tests {
  typealias S = QuantizeTestSupport

  /// `y = HardSwish(x)` over `[8]` inputs.
  static func model() throws -> Model {
    try S.model(
      input: [8], nodes: [Node(name: "hs", op: .hardSwish, inputs: ["x"], outputs: ["y"])], initializers: [:])
  }

  @Test("int16x8 writes x * (relu6(x + 3) / 6) as ADD, MUL, MUL; int8 keeps HARD_SWISH")
  func decomposition() throws {
    let lowered = try Lowering.lower(try Self.model())
    let wide = try Quantizer.quantize(
      lowered, ranges: ["x": -5...4, "y": -0.375...4], options: QuantizationOptions(precision: .int16x8))
    #expect(
      wide.nodes.map(\.op) == [.add(activation: .relu6), .mul(activation: .none), .mul(activation: .none)])
    #expect(wide.nodes.last?.name == "hs" && wide.nodes.last?.outputs == ["y"])
    #expect(wide.nodes.last?.inputs.first == "x")
    for tensor in wide.tensors.values where tensor.elementType != .float32 {
      #expect(tensor.elementType == .int16, "\(tensor.name)")
      #expect(tensor.quantization?.zeroPoint == 0, "\(tensor.name)")
    }
    // relu6(x + 3) reaches 6 when x reaches 3; the gate is then at most 1.
    #expect(try wide.tensor("y#relu6").quantization?.scale == 6 / 32767)
    #expect(try wide.tensor("y#hard_sigmoid").quantization?.scale == 1 / 32767)
    let narrow = try Quantizer.quantize(lowered, ranges: ["x": -5...4, "y": -0.375...4])
    #expect(narrow.nodes.map(\.op) == [.hardSwish])
  }

  @Test("the integer executor runs it within a few int16 steps of float HardSwish, as the simulation does")
  func accuracy() throws {
    let lowered = try Lowering.lower(try Self.model())
    let graph = try Quantizer.quantize(
      lowered, ranges: ["x": -5...4, "y": -0.375...4], options: QuantizationOptions(precision: .int16x8))
    let values = (0..<64).map { -5 + 9 * Float($0) / 63 }
    let x = Tensor(shape: [8, 8], floats: values)
    let integer = try IntegerExecutor(graph: graph, batchSize: 8).run(input: x)[0].asFloats()
    let simulated = try SimulationExecutor(graph: graph, batchSize: 8).run(input: x)[0].asFloats()
    let step = try #require(try graph.tensor("y").quantization?.scale)
    for (i, v) in values.enumerated() {
      let q = (v / (5 / 32767)).rounded() * (5 / 32767)
      let expected = q * min(max(q + 3, 0), 6) / 6
      #expect(abs(integer[i] - expected) <= 3 * step, "x = \(v)")
      #expect(abs(integer[i] - simulated[i]) <= 2 * step, "x = \(v)")
    }
  }
}
