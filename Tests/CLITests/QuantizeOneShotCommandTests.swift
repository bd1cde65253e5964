import Foundation
import Testing

/// `jumpstation quantize --model ... --output ...`: the one-shot pipeline and the script it stands for.
@Suite(.enabled(if: JumpStationProcess.binary != nil, JumpStationProcess.missingBinary))
struct QuantizeOneShotCommandTests {
  let teacher = JumpStationProcess.path("tutorials/data/teacher.onnx")
  let operational = JumpStationProcess.path("tutorials/data/operational.npz")

  @Test func emitScriptPrintsTheEquivalentScript() throws {
    let result = try JumpStationProcess.run([
      "quantize", "--model", teacher, "--calibration", operational, "--precision", "int4", "--method",
      "percentile", "--per-tensor", "--skip", "/head/Gemm", "--scale", "1/255", "--target", "pico",
      "--output",
      "out/t.tflite", "--emit-script",
    ])
    #expect(result.status == 0)
    #expect(
      result.lines == [
        "# jumpstation quantize, as a script",
        "use targets",
        "load \"\(teacher)\" as model",
        "dataset calibration = \"\(operational)\" scale=1/255",
        "target pico",
        "calibrate on calibration method=percentile",
        "quantize int4 ptq per_channel=false skip=[\"/head/Gemm\"]",
        "report",
        "export \"out/t.tflite\" force=true",
      ])
  }

  @Test func theEmittedScriptPassesTheChecker() throws {
    let emitted = try JumpStationProcess.run([
      "quantize", "--model", teacher, "--calibration", operational, "--output", "out/t.onnx", "--emit-script",
    ])
    let script = try JumpStationProcess.script(emitted.stdout)
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }
    let checked = try JumpStationProcess.run(["check", script.path])
    #expect(checked.status == 0, "\(checked.stderr)")
    #expect(emitted.lines.last == "export \"out/t.onnx\" format=onnx-qdq force=true")
  }

  @Test func writesTheQuantizedModel() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "oneshot-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("teacher_int8.tflite").path
    let result = try JumpStationProcess.run([
      "quantize", "--model", teacher, "--calibration", operational, "--output", output,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.lines.contains { $0.hasPrefix("wrote \(output) (") })
    #expect(result.lines.last == "wrote \(output).requirements.json (requirement vector)")
    #expect(FileManager.default.fileExists(atPath: output))
  }

  @Test func qatTrainsOnTheTrainingDataAndTheScriptChecks() throws {
    let train = JumpStationProcess.path("tutorials/data/train.npz")
    let emitted = try JumpStationProcess.run([
      "quantize", "--model", teacher, "--mode", "qat", "--precision", "int4", "--calibration", operational,
      "--training-data", train, "--epochs", "3", "--lr", "0.001", "--output", "out/t.tflite", "--emit-script",
    ])
    #expect(emitted.status == 0, "\(emitted.stderr)")
    #expect(emitted.lines.contains("dataset training = \"\(train)\""))
    #expect(emitted.lines.contains("quantize int4 qat epochs=3 lr=0.001 on training"))
    let script = try JumpStationProcess.script(emitted.stdout)
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }
    let checked = try JumpStationProcess.run(["check", script.path])
    #expect(checked.status == 0, "\(checked.stderr)")
    let ptqLearningRate = try JumpStationProcess.run([
      "quantize", "--model", teacher, "--calibration", operational, "--lr", "0.1", "--emit-script",
    ])
    #expect(ptqLearningRate.status == 64)
    #expect(ptqLearningRate.stderr.contains("--lr applies to --mode qat only"))
  }

  @Test func badFlagsAreUsageErrors() throws {
    let noOutput = try JumpStationProcess.run(["quantize", "--model", teacher, "--calibration", operational])
    #expect(noOutput.status == 64)
    #expect(noOutput.stderr.contains("--output is required"))
    let badScale = try JumpStationProcess.run([
      "quantize", "--model", teacher, "--calibration", operational, "--scale", "x", "--emit-script",
    ])
    #expect(badScale.status == 64)
    #expect(badScale.stderr.contains("--scale must be a number"))
  }

  @Test func aMissingModelFailsLikeTheScriptWould() throws {
    let result = try JumpStationProcess.run([
      "quantize", "--model", "/no/such/model.onnx", "--calibration", operational, "--output", "/tmp/x.tflite",
    ])
    #expect(result.status == 66)
    #expect(result.stderr.contains("/no/such/model.onnx"))
  }
}
