import Foundation
import JumpEngine
import Testing

/// The integer reference executor against the fake-quant simulation: within one output step everywhere.
@Suite("Runtime: integer executor")
struct IntegerExecutorTests {
  typealias S = QuantizeTestSupport
  typealias I = IntegerExecutorSupport

  @Test(
    "fixtures, int8 per-channel / per-tensor / int4: integer outputs within one step of the simulation",
    arguments: ["cnn", "dscnn", "mnv3block", "mnv3block_dynamo", "mlp"],
    [
      QuantizationOptions(precision: .int8), QuantizationOptions(precision: .int8, perChannel: false),
      QuantizationOptions(precision: .int4),
    ])
  func fixtureAgreement(name: String, options: QuantizationOptions) throws {
    let x = try I.calibration(name)
    let graph = try I.quantized(name, options: options, calibration: x)
    let agreement = try I.agreement(graph, x, batchSize: 3)
    print("agreement \(name) \(options.precision) perChannel=\(options.perChannel): \(agreement)")
    for a in agreement { #expect(a.maxSteps <= 1, "\(name) \(options.precision): \(a)") }
  }
}

extension IntegerExecutorTests {
  @Test("teacher int8 / per-tensor / int4: every output element within one step of the simulation")
  func teacherAgreement() throws {
    let calibration = try I.calibration("teacher", samples: 200)
    let x = try #require(try S.operationalSamples(48))
    for options in [
      QuantizationOptions(precision: .int8), QuantizationOptions(precision: .int8, perChannel: false),
      QuantizationOptions(precision: .int4),
    ] {
      let graph = try I.quantized("teacher", options: options, calibration: calibration)
      let agreement = try I.agreement(graph, x, batchSize: 16)
      print("agreement teacher \(options.precision) perChannel=\(options.perChannel): \(agreement)")
      for a in agreement { #expect(a.maxSteps <= 1, "teacher \(options.precision): \(a)") }
    }
  }

  @Test("ops covered by the fixtures")
  func opsCovered() throws {
    var ops = Set<String>()
    for name in ["teacher", "cnn", "dscnn", "mnv3block", "mnv3block_dynamo", "mlp"] {
      let graph = try I.quantized(name, options: .init(), calibration: try I.calibration(name, samples: 8))
      _ = try IntegerExecutor(graph: graph, batchSize: 2)
      print("ops \(name): \(graph.opCounts.sorted { $0.key < $1.key })")
      ops.formUnion(graph.opCounts.keys)
    }
    print("ops covered: \(ops.sorted())")
    let expected: Set<String> = [
      "ADD", "AVERAGE_POOL_2D", "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "HARD_SWISH",
      "MAX_POOL_2D",
      "MEAN", "MUL", "RESHAPE", "SOFTMAX",
    ]
    #expect(expected.isSubset(of: ops))
  }
}
