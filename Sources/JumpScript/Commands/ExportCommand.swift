import Foundation
import JumpEngine

/// `export PATH [from MODEL]`: writes a model to a file, atomically, and prints its size and digest.
enum ExportCommand: Command {
  static let signature = CommandSignature(
    name: "export",
    summary: "write the working model (or another) to a file; the format follows the extension",
    positionals: [
      Parameter("path", .outputPath(extensions: ["onnx"]), required: true, help: "the file to write")
    ],
    options: [Parameter("format", .choice(["onnx"]), help: "file format (default: from the extension)")],
    prepositions: [
      (.from, Parameter("model", .model, help: "the model to export (default: the working model)"))
    ],
    examples: ["export \"out/teacher.onnx\"", "export \"pruned.onnx\" from pruned"])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let path = arguments.string("path") else { throw CommandError("export needs a path") }
    guard let model = arguments.model("model") ?? context.state.workingModel else {
      throw CommandError("there is no model to export", hint: "load one first: load \"model.onnx\"")
    }
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw CommandError(
        "cannot create directory '\(directory.path)': \(error.localizedDescription)", parameter: "path")
    }
    let data: Data
    do {
      data = try ONNXExporter.serialize(model.model)
      try AtomicFile.write(data, to: url)
    } catch {
      throw CommandError(error, parameter: "path")
    }
    let digest = FileDigest.sha256(data)
    let text = "wrote \(path) (\(ValueFormatter.bytes(Double(data.count))), sha256 \(digest.prefix(16))…)"
    return .record(
      Record(
        kind: "export",
        fields: [
          ("path", .string(path)), ("bytes", .number(.bytes(data.count))), ("sha256", .string(digest)),
          ("format", .string("onnx")), ("model", .string(model.name)),
        ],
        text: text))
  }
}
