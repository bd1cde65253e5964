import Foundation
import Testing

@testable import JumpEngine

/// The simulation applies the 16-bit requantization multiplier of TFLite's 16x8 kernels
/// (`SimulationExecutor+WideRequantization`).
@Suite("Quantize: simulated int16x8 requantization")
struct SimulationExecutorWideRequantizationTests {
  typealias S = QuantizeTestSupport
  typealias I = IntegerExecutorSupport

  @Test("int16x8 conv and FC outputs get one ratio per channel, within 2^-15 of 1; int8 layers none")
  func ratios() throws {
    let x = try I.calibration("cnn", samples: 8)
    let wide = try I.quantized("cnn", options: QuantizationOptions(precision: .int16x8), calibration: x)
    let ratios = SimulationExecutor.wideRequantizationRatios(wide)
    let weighted = wide.nodes.filter { ["CONV_2D", "FULLY_CONNECTED"].contains($0.op.tfliteName) }
    #expect(Set(ratios.keys) == Set(weighted.map(\.name)))
    for node in weighted {
      let r = try #require(ratios[node.name])
      let channels = try #require(wide.tensors[node.inputs[1]]?.shape.first)
      #expect(r.count == channels)
      #expect(r.allSatisfy { abs($0 - 1) <= 1.0 / 32768 }, "\(node.name): \(r)")
    }
    #expect(ratios.values.joined().contains { $0 != 1 })
    let narrow = try I.quantized("cnn", options: QuantizationOptions(precision: .int8), calibration: x)
    #expect(SimulationExecutor.wideRequantizationRatios(narrow).isEmpty)
    #expect(try SimulationExecutor(graph: wide, quantizeActivations: false).wideRatios.isEmpty)
  }

  /// Measured on cnn: with the exact multiplier, 10 of 20 outputs differed from the integer executor, by
  /// up to 2 steps; with the device's, none.
  @Test("cnn int16x8: the simulation equals the integer executor on every output")
  func cnnAgreement() throws {
    let x = try I.calibration("cnn", samples: 24)
    let graph = try I.quantized("cnn", options: QuantizationOptions(precision: .int16x8), calibration: x)
    for a in try I.agreement(graph, x, batchSize: 8) { #expect(a.maxSteps <= 1 && a.differing <= 2, "\(a)") }
  }
}
