import Foundation
import JumpEngine

/// `dataset NAME = PATH`: declares a dataset; the file's headers are read and checked now, the
/// samples are streamed later by the commands that use them.
enum DatasetCommand: Command {
  static let signature = CommandSignature(
    name: "dataset",
    summary: "declare a dataset from a .npy or .npz file or a directory of .npy samples",
    positionals: [
      Parameter(
        "path", .inputPath(extensions: ["npy", "npz", "/"]), required: true,
        help: ".npz with x (and optional y), .npy, or a directory of .npy files")
    ],
    binding: Parameter("name", .newName, required: true, help: "the dataset's name"),
    examples: ["dataset train = \"tutorials/data/train.npz\""])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let name = arguments.binding, let path = arguments.string("path") else {
      throw CommandError("dataset needs a name and a path")
    }
    guard FileManager.default.fileExists(atPath: path) else {
      throw CommandError("no such file or directory '\(path)'", parameter: "path", exitCode: .noInput)
    }
    let source: DatasetSource
    do { source = try DatasetSource.open(path: path) } catch { throw CommandError(error, parameter: "path") }
    if let model = context.state.workingModel, let input = model.model.inputs.first {
      try checkShape(source, against: input, model: model.name, path: path)
    }
    let value = DatasetValue(name: name, path: path, source: source)
    context.state.store(value)
    return .dataset(value)
  }

  /// Rejects samples whose shape cannot feed the model (the batch dimension aside).
  static func checkShape(
    _ source: DatasetSource, against input: ValueInfo, model: String, path: String
  )
    throws(CommandError)
  {
    let expected = Array(input.shape.dropFirst())
    let fixed = expected.compactMap(\.value)
    guard fixed.count == expected.count else { return }  // symbolic dims: nothing to compare
    guard fixed != source.sampleShape else { return }
    let have = source.sampleShape.map(String.init).joined(separator: "×")
    let want = fixed.map(String.init).joined(separator: "×")
    let hint =
      fixed.count == 3 && source.sampleShape == [fixed[1], fixed[2], fixed[0]]
      ? "the data looks channels-last (NHWC); the model takes NCHW" : nil
    throw CommandError(
      "'\(path)': samples are \(have) but model '\(model)' takes \(want)", parameter: "path", hint: hint)
  }
}
