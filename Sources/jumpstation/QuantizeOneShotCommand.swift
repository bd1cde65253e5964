import ArgumentParser
import Foundation
import JumpScript

/// `jumpstation quantize --model m.onnx ... --output w.tflite`: the one-shot form of the pipeline
/// `load` → `dataset` → `calibrate` → `quantize` → `export`, for build scripts and CI jobs.
///
/// It writes the `.jss` script those flags mean and runs it on the same interpreter as `run`, so the
/// one-shot form can never drift from the language; `--emit-script` prints that script instead, as a
/// starting point for a script of one's own.
struct QuantizeOneShotCommand: OneShotScript {
  static let configuration = CommandConfiguration(
    commandName: "quantize",
    abstract: "Quantize a model and export it in one step (runs the equivalent .jss script).",
    discussion: """
      Example:
        jumpstation quantize --model m.onnx --mode ptq --precision int8 --calibration samples.npz --output m.tflite
      Add --emit-script to print the script instead of running it.
      """)

  /// Post-training quantization or quantization-aware training.
  enum Mode: String, ExpressibleByArgument, CaseIterable {
    case ptq, qat
  }

  @Option(help: "The float ONNX model.")
  var model: String

  @Option(help: "ptq (post-training) or qat (quantization-aware training).")
  var mode: Mode = .ptq

  @Option(help: "int8, int4 or int16x8.")
  var precision: String = "int8"

  @Option(help: "Calibration samples: a .npy, a .npz, or a directory of .npy or PNG files.")
  var calibration: String

  @Option(help: "Calibration method: minmax, percentile, entropy or mse.")
  var method: String?

  @Option(
    help: "Training data for --mode qat (a labelled .npz or directory); the calibration samples otherwise.")
  var trainingData: String?

  @Option(help: "Training epochs for --mode qat.")
  var epochs: Int?

  @Option(help: "Adam's learning rate for --mode qat (e.g. 1e-4).")
  var lr: Double?

  @Flag(help: "One weight scale per tensor instead of per output channel.")
  var perTensor = false

  @Option(help: "A layer name or op type to keep in float (repeatable).")
  var skip: [String] = []

  @Option(
    help: "Multiply input values by this before use, as the dataset's scale= (e.g. 1/255 for 8-bit images).")
  var scale: String?

  @Option(help: "Input layout of the samples: nchw or nhwc.")
  var layout: String?

  @Option(help: "A device from the catalog to check the result against (e.g. pico).")
  var target: String?

  @OptionGroup var destination: OneShotDestination

  @OptionGroup var outputOptions: OutputOptions

  func validate() throws {
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    if epochs != nil && mode != .qat { throw ValidationError("--epochs applies to --mode qat only") }
    if let lr, !(lr > 0 && lr <= 1) { throw ValidationError("--lr must be in (0, 1], got \(lr)") }
    if lr != nil && mode != .qat { throw ValidationError("--lr applies to --mode qat only") }
    if trainingData != nil && mode != .qat {
      throw ValidationError("--training-data applies to --mode qat only")
    }
    if let scale, !Self.isNumberOrFraction(scale) {
      throw ValidationError("--scale must be a number or a fraction such as 1/255, got '\(scale)'")
    }
    if let layout, !["nchw", "nhwc"].contains(layout) {
      throw ValidationError("--layout must be nchw or nhwc, got '\(layout)'")
    }
  }

  /// True for `0.5`, `2e-3` or `1/255`: what `--scale` may hold, so it can be written into the script as is.
  static func isNumberOrFraction(_ text: String) -> Bool {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2 else { return false }
    return parts.allSatisfy { Double($0) != nil }
  }

  /// The script the flags stand for.
  var script: String {
    let q = StringLiteral.quoted
    var lines = ["# jumpstation quantize, as a script"]
    if target != nil { lines.append("use targets") }
    lines.append("load \(q(model)) as model")
    var datasetOptions = ""
    if let scale { datasetOptions += " scale=\(scale)" }
    if let layout { datasetOptions += " layout=\(layout)" }
    lines.append("dataset calibration = \(q(calibration))\(datasetOptions)")
    if let trainingData { lines.append("dataset training = \(q(trainingData))\(datasetOptions)") }
    if let target { lines.append("target \(target)") }
    lines.append("calibrate on calibration" + (method.map { " method=\($0)" } ?? ""))
    var quantize = "quantize \(precision) \(mode.rawValue)"
    if mode == .qat {
      if let epochs { quantize += " epochs=\(epochs)" }
      if let lr { quantize += " lr=\(lr)" }
      quantize += trainingData == nil ? " on calibration" : " on training"
    }
    if perTensor { quantize += " per_channel=false" }
    if !skip.isEmpty { quantize += " skip=[\(skip.map(q).joined(separator: ", "))]" }
    lines.append(quantize)
    if target != nil { lines.append("report") }
    if let output = destination.output {
      let format = output.hasSuffix(".onnx") ? " format=onnx-qdq" : ""
      lines.append("export \(q(output))\(format) force=true")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
