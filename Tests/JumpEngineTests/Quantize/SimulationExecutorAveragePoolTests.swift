import Foundation
import Testing

@testable import JumpEngine

/// The simulation's AVERAGE_POOL_2D rounds as the integer kernel does (`SimulationExecutor+AveragePool`).
@Suite("Quantize: simulated AVERAGE_POOL_2D rounds on codes")
struct SimulationExecutorAveragePoolTests {
  typealias S = QuantizeTestSupport
  typealias I = IntegerExecutorSupport

  /// A 2x2, stride 2 average pool over `[channels, 6, 6]`.
  static func poolModel(channels: Int = 1) throws -> Model {
    try S.model(
      input: [channels, 6, 6],
      nodes: [
        Node(
          name: "pool", op: .averagePool(PoolAttributes(kernel: [2, 2], strides: [2, 2])), inputs: ["x"],
          outputs: ["y"])
      ],
      initializers: [:])
  }

  /// The quantized pool (int8, range [-1, 3]: scale 4/255, zero point -64) and its input parameters.
  static func quantizedPool(channels: Int = 1) throws -> (QuantizedGraph, QuantizationParameters) {
    let model = try poolModel(channels: channels)
    let graph = try Quantizer.quantize(try Lowering.lower(model), ranges: ["x": -1...3, "y": -1...3])
    let node = try #require(graph.nodes.first { $0.op.tfliteName == "AVERAGE_POOL_2D" })
    let q = try #require(graph.tensors[node.inputs[0]]?.quantization)
    return (graph, q)
  }

  /// Codes -64, -64, -63, -63 average to -63.5: the kernel rounds the raw codes away from zero (-64, real
  /// 0), a float mean of the real values (0.5 steps) would round to +1 step (-63).
  @Test("a tie on codes with a non-zero zero point rounds as the kernel: away from zero on the raw codes")
  func tieByHand() throws {
    let (graph, q) = try Self.quantizedPool()
    #expect(q.zeroPoint == -64)
    var codes = [Int64](repeating: -64, count: 36)
    codes[6] = -63  // row 1 of the first window
    codes[7] = -63
    let x = Tensor(shape: [1, 1, 6, 6], floats: codes.map { Float($0 - q.zeroPoint) * q.scale })
    let simulated = try SimulationExecutor(graph: graph).run(input: x)[0].floats ?? []
    let integer = try IntegerExecutor(graph: graph).run(input: x)[0].floats ?? []
    #expect(simulated.count == 9)
    #expect(((simulated[0] / q.scale).rounded()) == 0, "\(simulated[0] / q.scale) steps")
    #expect(simulated == integer)
  }

  @Test("random codes, many ties: the simulation equals the integer executor on every output")
  func randomTies() throws {
    let (graph, q) = try Self.quantizedPool(channels: 4)
    var random = SplitMix64(seed: 77)
    let count = 16 * 4 * 36
    // Codes in a narrow band around the zero point make ties on both sides of it frequent.
    let x = Tensor(
      shape: [16, 4, 6, 6],
      floats: (0..<count).map { _ in Float(random.int(-3...3)) * q.scale })
    let agreement = try I.agreement(graph, x, batchSize: 5)
    for a in agreement { #expect(a.maxSteps == 0 && a.differing == 0, "\(a)") }
  }

  @Test("without fake-quantized activations the pool stays a float mean")
  func weightsOnly() throws {
    let (graph, q) = try Self.quantizedPool()
    var codes = [Float](repeating: 0, count: 36)
    codes[1] = q.scale
    let x = Tensor(shape: [1, 1, 6, 6], floats: codes)
    let y = try SimulationExecutor(graph: graph, quantizeActivations: false).run(input: x)[0].floats ?? []
    #expect(abs(y[0] - q.scale / 4) < 1e-7)
  }
}
