import ArgumentParser
import Foundation
import JumpScript

/// `jumpstation prune --model m.onnx --sparsity 0.5 [--fine-tune-data train.npz] --output pruned.onnx`: the
/// one-shot form of `load` → `dataset` → `prune` → `export`, for build scripts and CI jobs.
///
/// Like the one-shot `quantize`, it writes the `.jss` script its flags mean and runs it on the same
/// interpreter as `run`; `--emit-script` prints that script instead.
struct PruneOneShotCommand: OneShotScript {
  static let configuration = CommandConfiguration(
    commandName: "prune",
    abstract: "Prune a model (and fine-tune it) and export it in one step (runs the equivalent .jss script).",
    discussion: """
      Example:
        jumpstation prune --model m.onnx --sparsity 0.5 --fine-tune-data train.npz --epochs 2 --output pruned.onnx
      Add --emit-script to print the script instead of running it.
      """)

  @Option(help: "The float ONNX model.")
  var model: String

  @Option(help: "The fraction of weights (or channels, with --structured) to remove, in [0, 1).")
  var sparsity: Double

  @Flag(help: "Remove whole output channels (a smaller dense model) instead of single weights.")
  var structured = false

  @Option(help: "global (one ranking over all layers) or layer (the same fraction from each).")
  var scope: String?

  @Option(help: "oneshot or polynomial (sparsity ramped up during fine-tuning).")
  var schedule: String?

  @Option(help: "Labelled training data to fine-tune on (.npz with x and y, or a directory).")
  var fineTuneData: String?

  @Option(help: "Fine-tuning epochs (default 2 when --fine-tune-data is given).")
  var epochs: Int?

  @OptionGroup var destination: OneShotDestination

  @OptionGroup var outputOptions: OutputOptions

  func validate() throws {
    if !(0..<1).contains(sparsity) { throw ValidationError("--sparsity must be in [0, 1), got \(sparsity)") }
    if let epochs, epochs < 0 { throw ValidationError("--epochs must be at least 0, got \(epochs)") }
    if let epochs, epochs > 0, fineTuneData == nil {
      throw ValidationError("--epochs needs --fine-tune-data (labelled samples to train on)")
    }
    if let scope, !["global", "layer"].contains(scope) {
      throw ValidationError("--scope must be global or layer, got '\(scope)'")
    }
    if let schedule, !["oneshot", "polynomial"].contains(schedule) {
      throw ValidationError("--schedule must be oneshot or polynomial, got '\(schedule)'")
    }
  }

  /// The script the flags stand for.
  var script: String {
    let q = StringLiteral.quoted
    var lines = ["# jumpstation prune, as a script", "load \(q(model)) as model"]
    var prune = "prune \(sparsity)"
    if structured { prune += " structured=true" }
    if let scope { prune += " scope=\(scope)" }
    if let schedule { prune += " schedule=\(schedule)" }
    if let fineTuneData {
      lines.append("dataset training = \(q(fineTuneData))")
      prune += " finetune=\(epochs ?? 2) on training"
    }
    lines.append(prune)
    if let output = destination.output { lines.append("export \(q(output)) force=true") }
    return lines.joined(separator: "\n") + "\n"
  }
}
