import Foundation
import JumpEngine
import Testing

@Suite("Calibrator")
struct CalibrationRunnerTests {
  static let tutorial = RuntimeFixtures.root.appendingPathComponent("tutorials/data")

  static func teacher() throws -> Model {
    try ONNXImporter.load(contentsOf: tutorial.appendingPathComponent("teacher.onnx"))
  }

  static func operational(limit: Int? = nil) throws -> Dataset {
    let dataset = try Dataset.open(path: tutorial.appendingPathComponent("operational.npz").path).dataset
    return limit.map { dataset.prefix($0) } ?? dataset
  }

  @Test("every value of the teacher gets a range; ReLU outputs start at zero")
  func teacherRanges() throws {
    let model = try Self.teacher()
    let calibrator = try Calibrator(model: model, options: CalibrationOptions(method: .minmax, batchSize: 32))
    let calibration = try calibrator.calibrate(try Self.operational(limit: 64), datasetName: "operational")
    let values = Set(model.graph.nodes.flatMap(\.outputs) + [model.inputs[0].name])
    #expect(Set(calibration.tensorNames) == values)
    #expect(calibration.tensorNames.first == model.inputs[0].name)
    #expect(calibration.sampleCount == 64)
    #expect(calibration.datasetName == "operational")
    #expect(calibration.datasetPath.hasSuffix("operational.npz"))
    #expect(calibration.model.matches(model))
    #expect(calibration.model.sourceSHA256 == model.provenance.sha256)
    #expect(calibration.closedRanges.count == values.count)
    let input = try #require(calibration.range(of: model.inputs[0].name))
    #expect(input.observedMin >= 0 && input.observedMax <= 1 && input.min == 0)
    for node in model.graph.nodes where node.op == .relu {
      let range = try #require(calibration.range(of: node.outputs[0]))
      #expect(range.observedMin == 0 && range.max > 0)
    }
  }

  @Test("the same data in different batch sizes gives the same ranges", arguments: CalibrationMethod.allCases)
  func batchSizeDoesNotMatter(method: CalibrationMethod) throws {
    let model = try Self.teacher()
    let data = try Self.operational(limit: 40)
    let whole = try Calibrator(model: model, options: CalibrationOptions(method: method, batchSize: 40))
      .calibrate(data)
    let streamed = try Calibrator(model: model, options: CalibrationOptions(method: method, batchSize: 7))
      .calibrate(data)
    #expect(streamed.tensorNames == whole.tensorNames)
    for name in whole.tensorNames {
      let a = try #require(whole.range(of: name))
      let b = try #require(streamed.range(of: name))
      let scale = max(abs(a.observedMin), abs(a.observedMax), 1e-6)
      #expect(
        abs(a.min - b.min) <= 1e-5 * scale && abs(a.max - b.max) <= 1e-5 * scale, "\(name): \(a) vs \(b)")
    }
  }

  @Test("progress counts samples; samples= limits them; cancellation stops between batches")
  func progressLimitAndCancellation() throws {
    let calibrator = try Calibrator(
      model: try Self.teacher(), options: CalibrationOptions(batchSize: 16, sampleLimit: 40))
    var reports: [[Int]] = []
    let calibration = try calibrator.calibrate(
      try Self.operational(), progress: { reports.append([$0, $1]) })
    #expect(reports == [[16, 40], [32, 40], [40, 40]])
    #expect(calibration.sampleCount == 40)
    var batches = 0
    let error = engineError {
      _ = try calibrator.calibrate(
        try Self.operational(), isCancelled: { batches >= 1 }, progress: { _, _ in batches += 1 })
    }
    #expect(error?.kind == .cancelled)
    #expect(batches == 1)
  }

  @Test("data of the wrong shape is refused, naming the file")
  func shapeMismatch() throws {
    let url = temporaryDirectory().appendingPathComponent("small.npy")
    try npyData(Tensor(shape: [3, 1, 28, 28], floats: [Float](repeating: 0.5, count: 3 * 784))).write(to: url)
    let dataset = try Dataset.open(path: url.path).dataset
    let calibrator = try Calibrator(model: try Self.teacher())
    let error = engineError { _ = try calibrator.calibrate(dataset) }
    #expect(error?.kind == .invalidData)
    #expect(error?.message == "\(url.path): samples are 1×28×28 but the model's input 'input' takes 1×32×32")
  }

  @Test("options out of range are refused")
  func badOptions() throws {
    let model = try Self.teacher()
    for options in [
      CalibrationOptions(percentile: 89), CalibrationOptions(bins: 100), CalibrationOptions(sampleLimit: 0),
    ] {
      #expect(engineError { _ = try Calibrator(model: model, options: options) }?.kind == .invalidData)
    }
  }

  @Test("the fingerprint tells a changed model apart")
  func fingerprint() throws {
    let model = try Self.teacher()
    let identity = CalibrationModelIdentity(model)
    #expect(identity.fingerprint.count == 64)
    #expect(identity.matches(try Self.teacher()))
    var changed = model
    let name = try #require(model.graph.initializers.keys.sorted().first)
    let tensor = try #require(model.graph.initializers[name])
    var floats = tensor.asFloats()
    floats[0] += 1
    changed.graph.initializers[name] = Tensor(shape: tensor.shape, floats: floats)
    #expect(!identity.matches(changed))
  }
}
