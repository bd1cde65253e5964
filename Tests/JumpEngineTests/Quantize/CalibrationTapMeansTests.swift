import Testing

@testable import JumpEngine

/// Bias correction's float pass taken from the calibration pass.
@Suite("Quantize: calibration tap means")
struct CalibrationTapMeansTests {
  typealias C = CalibrationRunnerTests

  /// The teacher quantized with a calibration on the first 100 operational digits, and that calibration.
  static func quantizedTeacher() throws -> (
    model: Model, lowered: LoweredGraph, graph: QuantizedGraph, calibration: Calibration, dataset: Dataset
  ) {
    let model = try C.teacher()
    let dataset = try C.operational(limit: 100)
    let calibration = try Calibrator(model: model).calibrate(dataset)
    let lowered = try Lowering.lower(model)
    let graph = try Quantizer.quantize(lowered, ranges: calibration.closedRanges)
    return (model, lowered, graph, calibration, dataset)
  }

  @Test("every weighted layer's means are kept and match bias correction's own float pass")
  func matchesFloatPass() throws {
    let (_, lowered, graph, calibration, dataset) = try Self.quantizedTeacher()
    let kept = try #require(calibration.tapMeans)
    #expect(kept.sampleCount == 64)
    #expect(kept.layers.count == lowered.graph.nodes.filter(\.op.hasWeights).count)
    let samples = try dataset.batch(0..<64).x
    var pass = BiasCorrectionPass(
      graph: graph, lowered: lowered, sampleCount: 64, options: BiasCorrectionOptions()
    ) {
      var done = false
      return { () throws(EngineError) -> Tensor? in
        defer { done = true }
        return done ? nil : samples
      }
    }
    let layers = pass.correctableLayers()
    let measured = try pass.measure(
      lowered.graph, layers: layers.enumerated().map { ($0, $1.float) }, total: 0, { false }, { _, _ in })
    for (position, means) in measured {
      let node = layers[position].float
      let inputShape = try lowered.graph.tensor(node.inputs[0]).shape
      let fromCalibration = try #require(kept.means(for: node, inputShape: inputShape, groupCount: 16))
      for (a, b) in zip(fromCalibration.groups, means.groups) {
        #expect(a.positions == b.positions)
        // The float executor and the simulation of the lowered graph round alike up to a few ulps.
        for (x, y) in zip(a.sums, b.sums) {
          #expect(abs(x - y) <= 1e-4 * max(1, abs(y)), "\(node.name): \(x) vs \(y)")
        }
      }
    }
  }

  @Test("bias correction uses them only for the same samples, and corrects as its own float pass does")
  func usedOnlyForTheSameSamples() throws {
    let (_, lowered, graph, calibration, dataset) = try Self.quantizedTeacher()
    let own = try BiasCorrection.correct(graph, lowered: lowered, dataset: dataset)
    let reused = try BiasCorrection.correct(
      graph, lowered: lowered, dataset: dataset, floatTapMeans: calibration.tapMeans)
    // The means differ in the last bits only: every bias within one step of the float pass's.
    for (name, tensor) in own.graph.tensors where tensor.elementType == .int32 {
      let a = tensor.data?.storedAsInt64s() ?? []
      let b = reused.graph.tensors[name]?.data?.storedAsInt64s() ?? []
      #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1 }, "\(name)")
    }
    // Means of other samples must not be used: a calibration of samples 1... gives another digest.
    var shifted = try #require(calibration.tapMeans)
    shifted.inputDigest &+= 1
    let guarded = try BiasCorrection.correct(
      graph, lowered: lowered, dataset: dataset, floatTapMeans: shifted)
    #expect(guarded.graph == own.graph)
  }

  @Test("nothing is kept when the first batch is not the wanted samples or none are wanted")
  func notKept() throws {
    let model = try C.teacher()
    let batched = try Calibrator(model: model, options: CalibrationOptions(batchSize: 24))
      .calibrate(try C.operational(limit: 100))
    #expect(batched.tapMeans == nil)
    let none = try Calibrator(model: model, options: CalibrationOptions(referenceSamples: 0))
      .calibrate(try C.operational(limit: 10))
    #expect(none.tapMeans == nil)
    let small = try Calibrator(model: model).calibrate(try C.operational(limit: 10))
    #expect(small.tapMeans?.sampleCount == 10)
  }
}
