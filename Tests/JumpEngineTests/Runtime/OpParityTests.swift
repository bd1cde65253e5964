import Foundation
import JumpEngine
import Testing

/// Every per-op graph in Tests/Fixtures/runtime (made by scripts/make-runtime-references.py) against ONNX
/// Runtime's output: relative error (see `RuntimeFixtures.relativeError`) under 1e-4.
@Suite("Float runtime: per-op parity with ONNX Runtime")
struct OpParityTests {
  @Test("one pass, one thread", arguments: RuntimeFixtures.opCases())
  func singlePass(name: String) throws {
    let (model, x, y) = try Self.load(name)
    let executor = try FloatExecutor(model: model, batchSize: x.shape.first ?? 1, threads: 1)
    let outputs = try executor.run(input: x)
    #expect(outputs.count == 1)
    #expect(outputs.first?.shape == y.shape)
    let error = RuntimeFixtures.relativeError(outputs.first?.floats ?? [], y.floats ?? [])
    #expect(error < 1e-4, "\(name): relative error \(error)")
  }

  @Test("passes of 2 (smaller last pass), two threads", arguments: RuntimeFixtures.opCases())
  func passesOfTwo(name: String) throws {
    let (model, x, y) = try Self.load(name)
    // Outputs whose first axis is not the batch, and ops across the batch axis, cannot be split into passes.
    guard y.shape.first == x.shape.first, x.rank > 1, name != "softmax_axis0" else { return }
    let executor = try FloatExecutor(model: model, batchSize: 2, threads: 2)
    let outputs = try executor.run(input: x)
    #expect(outputs.first?.shape == y.shape)
    let error = RuntimeFixtures.relativeError(outputs.first?.floats ?? [], y.floats ?? [])
    #expect(error < 1e-4, "\(name): relative error \(error)")
  }

  static func load(_ name: String) throws -> (Model, Tensor, Tensor) {
    let model = try ONNXImporter.load(
      contentsOf: RuntimeFixtures.runtime.appendingPathComponent("\(name).onnx"))
    let arrays = try RuntimeFixtures.npz(RuntimeFixtures.runtime.appendingPathComponent("\(name).ref.npz"))
    guard let x = arrays["x"], let y = arrays["y"] else {
      throw EngineError(.invalidData, "\(name).ref.npz lacks x or y")
    }
    return (model, x, y)
  }
}
