import Foundation
import JumpEngine

/// `predict [MODEL] on DATASET to PATH`: writes the model's outputs for every sample as a float32
/// `.npy` (one row per sample, in the dataset's order), for checking with other tools.
enum PredictCommand: Command {
  static let signature = CommandSignature(
    name: "predict",
    summary: "write a model's outputs on a dataset to a float32 .npy file, one row per sample",
    positionals: [Parameter("model", .model, help: "the model to run (default: the working model)")],
    options: [
      Parameter(
        "batch", .integer(range: 1...4096), default: .number(Quantity(64)), help: "samples per batch"),
      ArithmeticOption.parameter,
    ],
    prepositions: [
      (.on, Parameter("dataset", .dataset, required: true, help: "the data to run")),
      (
        .to,
        Parameter("path", .outputPath(extensions: ["npy"]), required: true, help: "the .npy file to write")
      ),
    ],
    examples: ["predict on test to \"out/logits.npy\""])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let model = arguments.model("model") ?? context.state.workingModel else {
      throw CommandError("there is no model to run", hint: "load one first: load \"model.onnx\"")
    }
    guard let dataset = arguments.dataset("dataset"), let path = arguments.string("path") else {
      throw CommandError("predict needs 'on DATASET' and 'to PATH'")
    }
    guard let output = model.model.outputs.first else {
      throw CommandError("model '\(model.name)' has no outputs")
    }
    let rowShape = output.shape.dropFirst().map { $0.value ?? 1 }
    let url = URL(fileURLWithPath: path)
    do {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw CommandError("cannot create the directory for '\(path)'", parameter: "path")
    }
    let writer: NpyWriter
    do { writer = try NpyWriter(url: url, shape: [dataset.dataset.count] + rowShape) } catch {
      throw CommandError(error, parameter: "path")
    }
    let pass = DatasetPass(
      model: model, dataset: dataset, batchSize: arguments.integer("batch") ?? 64,
      threads: context.state.threads,
      environment: context.environment, label: "predict",
      arithmetic: ArithmeticOption.value(arguments))
    let summary = try pass.run { (_, outputs) throws(CommandError) in
      do throws(EngineError) { try writer.append(outputs.asFloats()) } catch {
        throw CommandError(error, parameter: "path")
      }
    }
    do { try writer.finish() } catch { throw CommandError(error, parameter: "path") }
    let arithmetic = ArithmeticOption.value(arguments)
    let arithmeticNote =
      model.quantized != nil && arithmetic != .tfliteMicro ? ", \(arithmetic.runtimeName) arithmetic" : ""
    let shape = ([summary.samples] + rowShape).map(String.init).joined(separator: "×")
    return .record(
      Record(
        kind: "predict",
        fields: [
          ("path", .string(path)), ("samples", .number(Quantity(Double(summary.samples)))),
          ("model", .string(model.name)),
        ],
        text: "wrote \(path) (\(shape) float32 outputs of \(model.name) on \(dataset.name)\(arithmeticNote))")
    )
  }
}
