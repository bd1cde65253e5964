import Foundation
import JumpEngine
import Testing

@testable import JumpScript

/// `export PATH batch=1 samples=DATASET`: the float ONNX and calibration folder an NPU compiler takes.
@Suite struct ExportStaticShapesTests {
  @Test func writesStaticShapesAndTheSamplesAsTheModelSeesThem() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("npu/teacher.onnx").path
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    try session.run(
      "dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=3 scale=2")
    try session.run("let e = export \"\(path)\" batch=1 samples=operational")
    #expect(try session.display("e.samples") == "3")
    let folder = directory.appendingPathComponent("npu/teacher_calibration")
    #expect(try session.display("e.samples_path") == folder.path)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        == ["00000.npy", "00001.npy", "00002.npy"])
    // The model loads back with every shape fixed, and the folder reads back as the same samples.
    try session.run("load \"\(path)\" as npu")
    let npu = try #require(session.state.model(named: "npu"))
    #expect(npu.model.hasStaticShapes)
    #expect(npu.model.inputs.first?.shape.first?.value == 1)
    try session.run("dataset again = \"\(folder.path)\"")
    try session.run("let a = eval npu on again vs teacher")
    try session.run("let b = eval teacher on operational vs npu")
    #expect(try session.display("a.samples == b.samples") == "true")
  }

  @Test func onlyFloatONNXTakesAnotherBatch() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    let failure = try #require(session.failure("export \"/tmp/never.tflite\" batch=4"))
    #expect(failure.message == "batch=4: tflite files are written at batch 1")
  }
}
