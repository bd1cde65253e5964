import Foundation
import Testing

/// `jumpstation distill --teacher ... --output ...`: the one-shot pipeline, its script and its files.
@Suite(.enabled(if: JumpStationProcess.binary != nil, JumpStationProcess.missingBinary))
struct DistillOneShotCommandTests {
  let teacher = JumpStationProcess.path("tutorials/data/teacher.onnx")
  let operational = JumpStationProcess.path("tutorials/data/operational.npz")

  @Test func emitScriptPrintsTheEquivalentScript() throws {
    let result = try JumpStationProcess.run([
      "distill", "--teacher", teacher, "--student-arch", "mobilenetv3_small", "--operational-data",
      operational,
      "--target", "pico", "--output", "out/s.tflite", "--emit-script",
    ])
    #expect(result.status == 0)
    #expect(
      result.lines == [
        "# jumpstation distill, as a script",
        "use targets",
        "load \"\(teacher)\" as teacher",
        "dataset operational = \"\(operational)\"",
        "target pico",
        "distill student=mobilenetv3_small width=auto on operational",
        "quantize int8",
        "report vs teacher to \"out/report.json\"",
        "report vs teacher to \"out/report.md\"",
        "export \"out/s.tflite\" force=true",
      ])
  }

  @Test func writesTheStudentItsReportsAndItsRequirementVector() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "oneshot-distill-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("student.tflite").path
    let result = try JumpStationProcess.run([
      "distill", "--teacher", teacher, "--student-arch", "dscnn", "--operational-data", operational,
      "--target", "pico", "--epochs", "1", "--output", output,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("verdict: fits pico"))
    let written = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    #expect(written == ["report.json", "report.md", "student.tflite", "student.tflite.requirements.json"])
  }

  @Test func badFlagsAreUsageErrors() throws {
    let auto = try JumpStationProcess.run([
      "distill", "--teacher", teacher, "--student-arch", "dscnn", "--operational-data", operational,
      "--width", "auto", "--output", "s.tflite",
    ])
    #expect(auto.status != 0)
    #expect(auto.stderr.contains("--width auto needs --target"))
  }
}
