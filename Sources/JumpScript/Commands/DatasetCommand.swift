import Foundation
import JumpEngine

/// `dataset NAME = PATH [options] [as REST]`: declares a dataset; headers are read and every sample is
/// checked once now (corrupt files, NaN/Inf), then samples are streamed by the commands that use them.
///
/// Options apply in a fixed order: layout conversion, then `x * scale`, then `(x - mean) / std` per channel,
/// for every sample read; shuffle, then limit, then split choose which samples and in what order.
enum DatasetCommand: Command {
  static let signature = CommandSignature(
    name: "dataset",
    summary: "declare a dataset from a .npy or .npz file or a directory of .npy or .png samples",
    positionals: [
      Parameter(
        "path", .inputPath(extensions: ["npy", "npz", "/"]), required: true,
        help:
          ".npz with x (and optional y), .npy, a directory of .npy or .png files (labels.csv or labels.txt "
          + "with filename,label lines), or a directory of class folders of .png images")
    ],
    options: [
      Parameter(
        "scale", .number(.none, range: 1e-12...1e12),
        help: "multiply every stored value first (1/255 for images)"),
      Parameter(
        "mean", .list(.number(.none, range: nil)),
        help: "subtract after scaling: one value per channel, or [v] for all channels"),
      Parameter(
        "std", .list(.number(.none, range: 1e-12...1e12)),
        help: "divide by after subtracting the mean: one value per channel, or [v] for all"),
      Parameter(
        "layout", .choice(DatasetTransform.Layout.allCases.map(\.rawValue)), default: .word("nchw"),
        help: "how samples are stored; nhwc (channels last) is converted to the model's nchw"),
      Parameter(
        "limit", .integer(range: 1...Int(Int32.max)), help: "keep only the first N samples (after shuffle)"),
      Parameter(
        "shuffle", .boolean, default: .bool(false),
        help: "shuffle once with the session seed (0 when no seed is set); the same seed gives the same order"
      ),
      Parameter(
        "split", .number(.none, range: 0.001...0.999),
        help: "keep this fraction as NAME and the rest as a second dataset, NAME_rest unless named with 'as'"),
    ],
    prepositions: [
      (.as, Parameter("rest", .newName, help: "the name of the second part of a split (default NAME_rest)"))
    ],
    binding: Parameter("name", .newName, required: true, help: "the dataset's name"),
    examples: [
      "dataset train = \"tutorials/data/train.npz\"",
      "dataset train = \"tutorials/data/train.npz\" shuffle=true split=0.8 as val",
      "dataset photos = \"data/photos/\" scale=1/255 mean=[0.485, 0.456, 0.406] std=[0.229, 0.224, 0.225]",
      "dataset frames = \"frames.npy\" layout=nhwc limit=500",
    ])

  /// The name of the second part of a split when `as` does not give one.
  static func restName(of name: String, _ arguments: BoundArguments) -> String {
    arguments.string("rest") ?? "\(name)_rest"
  }

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let name = arguments.binding, let path = arguments.string("path") else {
      throw CommandError("dataset needs a name and a path")
    }
    guard FileManager.default.fileExists(atPath: path) else {
      throw CommandError("no such file or directory '\(path)'", parameter: "path", exitCode: .noInput)
    }
    if arguments.isGiven("rest") && !arguments.isGiven("split") {
      throw CommandError(
        "'as' names the second part of a split, but there is no split", parameter: "rest",
        hint: "add split=0.8 (for example), or drop 'as \(arguments.string("rest") ?? "")'")
    }
    let options = options(arguments, seed: context.state.seed)
    let opened: (dataset: Dataset, rest: Dataset?)
    do { opened = try Dataset.open(path: path, options: options) } catch {
      throw CommandError(error, parameter: "path")
    }
    if let model = context.state.workingModel, let input = model.model.inputs.first {
      try checkShape(opened.dataset, against: input, model: model.name, path: path)
    }
    var nonFinite = 0
    do {
      for dataset in [opened.dataset] + (opened.rest.map { [$0] } ?? []) {
        nonFinite += try dataset.countNonFinite(isCancelled: context.environment.isCancelled)
      }
    } catch {
      throw CommandError(error, parameter: "path")
    }
    if nonFinite > 0 {
      context.environment.log(
        "warning: '\(path)': \(nonFinite) NaN or infinite value\(nonFinite == 1 ? "" : "s") in the samples")
    }
    let value = DatasetValue(name: name, path: path, dataset: opened.dataset)
    context.state.store(value)
    if let rest = opened.rest {
      context.state.store(DatasetValue(name: restName(of: name, arguments), path: path, dataset: rest))
    }
    return .dataset(value)
  }

  /// The engine options from the command's arguments.
  static func options(_ arguments: BoundArguments, seed: UInt64?) -> DatasetOptions {
    func numbers(_ key: String) -> [Float] {
      guard case .list(let items)? = arguments.value(key) else { return [] }
      return items.compactMap { item in
        if case .number(let quantity) = item { return Float(quantity.value) }
        return nil
      }
    }
    let layout = arguments.string("layout").flatMap(DatasetTransform.Layout.init(rawValue:)) ?? .nchw
    let transform = DatasetTransform(
      scale: Float(arguments.number("scale") ?? 1), mean: numbers("mean"), std: numbers("std"), layout: layout
    )
    return DatasetOptions(
      transform: transform, limit: arguments.integer("limit"),
      shuffleSeed: arguments.bool("shuffle") == true ? (seed ?? 0) : nil, split: arguments.number("split"))
  }

  /// Rejects samples whose shape (after layout conversion) cannot feed the model (the batch dimension aside).
  static func checkShape(
    _ dataset: Dataset, against input: ValueInfo, model: String, path: String
  )
    throws(CommandError)
  {
    let expected = Array(input.shape.dropFirst())
    let fixed = expected.compactMap(\.value)
    guard fixed.count == expected.count else { return }  // symbolic dims: nothing to compare
    let shape = dataset.sampleShape
    guard fixed != shape else { return }
    let have = shape.map(String.init).joined(separator: "×")
    let want = fixed.map(String.init).joined(separator: "×")
    let hint =
      dataset.transform.layout == .nchw && fixed.count == 3 && shape == [fixed[1], fixed[2], fixed[0]]
      ? "the data looks channels-last (NHWC); add layout=nhwc" : nil
    throw CommandError(
      "'\(path)': samples are \(have) but model '\(model)' takes \(want)", parameter: "path", hint: hint)
  }
}
