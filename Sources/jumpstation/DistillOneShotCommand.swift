import ArgumentParser
import Foundation
import JumpScript

/// `jumpstation distill --teacher m.onnx --student-arch mobilenetv3_small --operational-data DIR --target pico
/// --output s.tflite`: the one-shot form of `load` → `dataset` → `distill` → `quantize` → `report` → `export`,
/// for build scripts and CI jobs.
///
/// Besides the weights it writes `report.json` and `report.md` (the compression report against the
/// teacher) next to the output, and `export` writes the requirement vector. Like the other one-shot
/// commands it runs the `.jss` script its flags mean; `--emit-script` prints that script instead.
struct DistillOneShotCommand: OneShotScript {
  static let configuration = CommandConfiguration(
    commandName: "distill",
    abstract: "Distill a student, quantize and export it in one step (runs the equivalent .jss script).",
    discussion: """
      Example:
        jumpstation distill --teacher m.onnx --student-arch mobilenetv3_small --operational-data samples.npz \\
          --target pico --output student.tflite
      Writes the weights, report.json and report.md beside them, and the requirement vector.
      Add --emit-script to print the script instead of running it.
      """)

  @Option(help: "The float ONNX teacher.")
  var teacher: String

  @Option(help: "The student architecture: mobilenetv3_small, mobilenetv3_large, dscnn, cnn or mlp.")
  var studentArch: String

  @Option(help: "The inputs the device will see (.npy, .npz or a directory); labels are not needed.")
  var operationalData: String

  @Option(help: "A device from the catalog: with it the width defaults to auto (the widest that fits).")
  var target: String?

  @Option(help: "Channel multiplier, or auto with --target.")
  var width: String?

  @Option(help: "Training epochs (default 30).")
  var epochs: Int?

  @Option(help: "int8 (default) or int4 weights for the exported student; none keeps it float.")
  var precision = "int8"

  @OptionGroup var destination: OneShotDestination

  @OptionGroup var outputOptions: OutputOptions

  func validate() throws {
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    if !["int8", "int4", "none"].contains(precision) {
      throw ValidationError("--precision must be int8, int4 or none, got '\(precision)'")
    }
    if width == "auto" && target == nil { throw ValidationError("--width auto needs --target") }
    if let width, width != "auto", Double(width) == nil {
      throw ValidationError("--width must be a number or auto, got '\(width)'")
    }
  }

  /// The script the flags stand for.
  var script: String {
    let q = StringLiteral.quoted
    var lines = ["# jumpstation distill, as a script"]
    if target != nil { lines.append("use targets") }
    lines.append("load \(q(teacher)) as teacher")
    lines.append("dataset operational = \(q(operationalData))")
    if let target { lines.append("target \(target)") }
    var distill = "distill student=\(studentArch)"
    if let width = width ?? (target != nil ? "auto" : nil) { distill += " width=\(width)" }
    if let epochs { distill += " epochs=\(epochs)" }
    distill += " on operational"
    lines.append(distill)
    if precision != "none" { lines.append("quantize \(precision)") }
    if let output = destination.output {
      // The reports go beside the output, written as the user wrote its path (relative stays relative).
      let directory = (output as NSString).deletingLastPathComponent
      let prefix = directory.isEmpty ? "" : directory + "/"
      lines.append("report vs teacher to \(q(prefix + "report.json"))")
      lines.append("report vs teacher to \(q(prefix + "report.md"))")
      let format = output.hasSuffix(".onnx") && precision != "none" ? " format=onnx-qdq" : ""
      lines.append("export \(q(output))\(format) force=true")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
