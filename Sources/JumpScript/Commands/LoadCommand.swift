import Foundation
import JumpEngine

/// `load PATH [as NAME] [sha256:HEX]`: imports an ONNX model; it becomes the working model.
enum LoadCommand: Command {
  static let signature = CommandSignature(
    name: "load",
    summary: "import an ONNX model; it becomes the working model",
    positionals: [
      Parameter("path", .inputPath(extensions: ["onnx"]), required: true, help: "the .onnx file")
    ],
    prepositions: [(.as, Parameter("name", .newName, help: "session name (default: the file name)"))],
    acceptsPin: true,
    examples: [
      "load \"tutorials/data/teacher.onnx\" as teacher",
      "load \"m.onnx\" sha256:<64 hex digits>",
    ])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let path = arguments.string("path") else { throw CommandError("load needs a path") }
    let url = URL(fileURLWithPath: path)
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw CommandError("no such file '\(path)'", parameter: "path", exitCode: .noInput)
    }
    if let pin = arguments.pin {
      let actual: String
      do { actual = try FileDigest.sha256(of: url) } catch { throw CommandError(error, parameter: "path") }
      guard actual == pin else {
        throw CommandError(
          "'\(path)' has sha256 \(actual), but the script pins \(pin)", parameter: "path",
          hint: "the file changed since the script was written; update the pin if that is intended",
          exitCode: .noInput)
      }
    }
    let model: Model
    do { model = try ONNXImporter.load(contentsOf: url) } catch {
      throw CommandError(error, parameter: "path")
    }
    let name = arguments.string("name") ?? context.state.freshModelName(defaultName(for: url))
    let value = ModelValue(name: name, model: model, lineage: ["load \(url.lastPathComponent)"])
    context.state.store(value)
    return .model(value)
  }

  /// The file name without extension, made into a name scripts can type.
  static func defaultName(for url: URL) -> String {
    let stem = url.deletingPathExtension().lastPathComponent
    let cleaned = String(stem.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    guard let first = cleaned.first, first.isLetter || first == "_" else { return "model_" + cleaned }
    return cleaned
  }
}
