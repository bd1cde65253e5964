import Foundation
import Testing

@testable import JumpEngine

/// The float outputs the calibration pass keeps for `quantize`'s output SQNR.
@Suite("Calibration reference outputs")
struct CalibrationReferenceTests {
  typealias C = CalibrationRunnerTests

  @Test("the first batch's outputs are kept, equal to a float run of those 64 samples")
  func keptOutputs() throws {
    let model = try C.teacher()
    let dataset = try C.operational(limit: 100)
    let calibrator = try Calibrator(model: model)
    let calibration = try calibrator.calibrate(dataset)
    let reference = try #require(calibration.reference)
    #expect(reference.sampleCount == 64)
    let first = try dataset.batch(0..<64).x
    let expected = try FloatExecutor(model: model, batchSize: 64).run(input: first)
    #expect(reference.outputs.map(\.shape) == expected.map(\.shape))
    #expect(reference.outputs.map { $0.asFloats() } == expected.map { $0.asFloats() })
    #expect(reference.output(for: first) == reference.outputs.first)
    // Other samples, or fewer, are not the kept ones.
    #expect(reference.output(for: try dataset.batch(1..<65).x) == nil)
    #expect(reference.output(for: try dataset.batch(0..<32).x) == nil)
  }

  @Test("fewer samples keeps them all; nothing when batches are not the reference samples or asked not to")
  func limits() throws {
    let model = try C.teacher()
    let small = try Calibrator(model: model).calibrate(try C.operational(limit: 10))
    #expect(small.reference?.sampleCount == 10)
    // Batches of 24: the float kernels may round differently than one batch of 64.
    let batched = try Calibrator(model: model, options: CalibrationOptions(batchSize: 24))
      .calibrate(try C.operational(limit: 100))
    #expect(batched.reference == nil)
    let none = try Calibrator(model: model, options: CalibrationOptions(referenceSamples: 0))
      .calibrate(try C.operational(limit: 10))
    #expect(none.reference == nil)
  }

  @Test("a model with BatchNormalization keeps nothing (a plain float run folds it into the weights)")
  func batchNormalization() throws {
    let model = try QuantizeTestSupport.model(
      input: [2, 4, 4],
      nodes: [
        Node(name: "c", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["x", "w", "b"], outputs: ["t"]),
        QuantizeTestSupport.batchNorm("bn", input: "t", output: "y"),
      ],
      initializers: [
        "w": QuantizeTestSupport.tensor([2, 2, 1, 1]), "b": QuantizeTestSupport.tensor([2], seed: 3),
      ].merging(QuantizeTestSupport.batchNormParameters("bn", channels: 2, seed: 5)) { a, _ in a })
    #expect(CalibrationReferenceCollector(wanted: 64, model: model).wanted == 0)
    #expect(CalibrationReferenceCollector(wanted: 64, model: try C.teacher()).wanted == 64)
  }
}
