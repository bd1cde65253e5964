import Foundation
import JumpEngine
import Testing

/// Whole models against ONNX Runtime: the fixture models (Tests/Fixtures/models/*.ref.npz) and the tutorial
/// teacher on 8 test samples (Tests/Fixtures/runtime/teacher.ref.npz). Relative error under 1e-4.
@Suite("Float runtime: model parity with ONNX Runtime")
struct ModelParityTests {
  static let fixtureModels = ["cnn", "dscnn", "mlp", "mnv3block", "mnv3block_dynamo", "gated"]

  @Test("fixture models", arguments: fixtureModels, [1, 2])
  func fixtureModel(name: String, threads: Int) throws {
    let model = try ONNXImporter.load(
      contentsOf: RuntimeFixtures.models.appendingPathComponent("\(name).onnx"))
    let arrays = try RuntimeFixtures.npz(RuntimeFixtures.models.appendingPathComponent("\(name).ref.npz"))
    let x = try #require(arrays["x"])
    let y = try #require(arrays["y"])
    let executor = try FloatExecutor(model: model, batchSize: 4, threads: threads)
    let outputs = try executor.run(input: x)
    #expect(outputs.first?.shape == y.shape)
    let error = RuntimeFixtures.relativeError(outputs.first?.floats ?? [], y.floats ?? [])
    #expect(error < 1e-4, "\(name): relative error \(error)")
  }

  @Test("tutorial teacher on 8 test samples, in passes of 3", arguments: [1, 2])
  func teacher(threads: Int) throws {
    let model = try ONNXImporter.load(
      contentsOf: RuntimeFixtures.root.appendingPathComponent("tutorials/data/teacher.onnx"))
    let arrays = try RuntimeFixtures.npz(RuntimeFixtures.runtime.appendingPathComponent("teacher.ref.npz"))
    let x = try #require(arrays["x"])
    let y = try #require(arrays["y"])
    let executor = try FloatExecutor(model: model, batchSize: 3, threads: threads)
    let outputs = try executor.run(input: x)
    #expect(outputs.first?.shape == y.shape)
    let error = RuntimeFixtures.relativeError(outputs.first?.floats ?? [], y.floats ?? [])
    #expect(error < 1e-4, "teacher: relative error \(error)")
  }
}
