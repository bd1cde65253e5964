import Foundation
import Testing

/// `jumpstation prune --model ... --output ...`: the one-shot pipeline and the script it stands for.
@Suite(.enabled(if: JumpStationProcess.binary != nil, JumpStationProcess.missingBinary))
struct PruneOneShotCommandTests {
  let teacher = JumpStationProcess.path("tutorials/data/teacher.onnx")
  let train = JumpStationProcess.path("tutorials/data/train.npz")

  @Test func emitScriptPrintsTheEquivalentScript() throws {
    let result = try JumpStationProcess.run([
      "prune", "--model", teacher, "--sparsity", "0.5", "--scope", "layer", "--fine-tune-data", train,
      "--output", "out/p.onnx", "--emit-script",
    ])
    #expect(result.status == 0)
    #expect(
      result.lines == [
        "# jumpstation prune, as a script",
        "load \"\(teacher)\" as model",
        "dataset training = \"\(train)\"",
        "prune 0.5 scope=layer finetune=2 on training",
        "export \"out/p.onnx\" force=true",
      ])
  }

  @Test func writesTheStructurallyPrunedModel() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "oneshot-prune-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let output = directory.appendingPathComponent("slim.onnx").path
    let result = try JumpStationProcess.run([
      "prune", "--model", teacher, "--sparsity", "0.3", "--structured", "--output", output,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("216 of 720 channels removed"))
    #expect(result.lines.contains { $0.hasPrefix("wrote \(output) (") })
    #expect(result.lines.last == "wrote \(output).requirements.json (requirement vector)")
  }

  @Test func badFlagsAreUsageErrors() throws {
    let sparsity = try JumpStationProcess.run([
      "prune", "--model", teacher, "--sparsity", "1", "--output", "x.onnx",
    ])
    #expect(sparsity.status == 64)
    #expect(sparsity.stderr.contains("--sparsity must be in [0, 1)"))
    let epochs = try JumpStationProcess.run([
      "prune", "--model", teacher, "--sparsity", "0.5", "--epochs", "2", "--output", "x.onnx",
    ])
    #expect(epochs.status == 64)
    #expect(epochs.stderr.contains("--epochs needs --fine-tune-data"))
  }
}
