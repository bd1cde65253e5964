import Foundation
import JumpEngine

/// `export PATH [format=tflite|onnx|onnx-qdq] [io=int8|float] [from MODEL]`: writes a model to a file, atomically,
/// and prints its size and digest.
///
/// `.tflite` files come from the device graph of a quantized model (fully integer, int4 weights or
/// int16x8, with float layers where `skip=` kept them) or from the lowered float graph of a float model.
/// `.onnx` files are float models, or QDQ models (`format=onnx-qdq`, the default for a quantized model)
/// that ONNX Runtime runs with the device's quantization parameters.
///
/// `batch=1 samples=DATASET` is the hand-off to an NPU compiler that quantizes by itself (the DX-M1
/// class): a float ONNX with static shapes, and next to it a folder of the dataset's samples, transformed
/// as the model sees them, for the compiler's calibration.
enum ExportCommand: Command {
  static let signature = CommandSignature(
    name: "export",
    summary: "write the working model (or another) to a file; the format follows the extension",
    positionals: [
      Parameter(
        "path", .outputPath(extensions: ["onnx", "tflite"]), required: true,
        help: "the file to write (.tflite or .onnx)")
    ],
    options: [
      Parameter(
        "format", .choice(ExportFormat.allCases.map(\.rawValue)),
        help: "file format (default: from the extension; .onnx of a quantized model is onnx-qdq)"),
      Parameter(
        "io", .choice(TFLiteIO.allCases.map(\.rawValue)),
        help: "element type of a quantized .tflite's inputs and outputs (default int8)"),
      Parameter(
        "batch", .integer(range: 1...65536),
        help: "fix the batch dimension, giving static shapes (NPU compilers need batch=1)"),
      Parameter(
        "samples", .dataset,
        help: "also write this dataset's samples as .npy files into PATH's stem + _calibration/"),
      Parameter(
        "force", .boolean, default: .bool(false),
        help:
          "replace PATH (and its requirement vector) when it exists; without it an existing file is an error"),
    ],
    prepositions: [
      (.from, Parameter("model", .model, help: "the model to export (default: the working model)"))
    ],
    examples: [
      "export \"out/teacher.onnx\"", "export \"out/teacher_int8.tflite\"",
      "export \"out/teacher_int8.tflite\" io=float", "export \"out/teacher_int8.onnx\" format=onnx-qdq",
      "export \"pruned.onnx\" from pruned", "export \"out/teacher_int8.tflite\" force=true",
      "export \"out/teacher_npu.onnx\" batch=1 samples=operational",
    ])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let path = arguments.string("path") else { throw CommandError("export needs a path") }
    guard let model = arguments.model("model") ?? context.state.workingModel else {
      throw CommandError("there is no model to export", hint: "load one first: load \"model.onnx\"")
    }
    let format = try ExportFormat.resolve(
      arguments.string("format"), path: path, quantized: model.quantized != nil)
    let io = try ioChoice(arguments, format: format, model: model)
    let batch = arguments.integer("batch")
    if let batch, format != .onnx && batch != 1 {
      throw CommandError(
        "batch=\(batch): \(format.rawValue) files are written at batch 1", parameter: "batch")
    }
    let url = URL(fileURLWithPath: path)
    if FileManager.default.fileExists(atPath: path) && arguments.bool("force") != true {
      throw CommandError(
        "'\(path)' exists; export does not replace files unless asked", parameter: "path",
        hint: "add force=true to replace it, or choose another path")
    }
    let started = Date()
    let directory = url.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw CommandError(
        "cannot create directory '\(directory.path)': \(error.localizedDescription)", parameter: "path")
    }
    let requirements = try requirements(
      model, format: format, io: io, staticBatch: batch, state: context.state)
    let data: Data
    let kind: String
    do {
      (data, kind) = try serialize(
        model, format: format, io: io, staticBatch: batch, requirements: requirements.json)
    } catch {
      throw CommandError(error)
    }
    guard !context.environment.isCancelled() else {
      throw CommandError(EngineError(.cancelled, "export cancelled; nothing was written"))
    }
    do {
      try AtomicFile.write(data, to: url)
    } catch {
      throw CommandError(error, parameter: "path")
    }
    let requirementsPath = requirementsPath(for: path)
    do {
      try AtomicFile.write(Data((requirements.json + "\n").utf8), to: URL(fileURLWithPath: requirementsPath))
    } catch {
      throw CommandError(error, parameter: "path")
    }
    let seconds = Date().timeIntervalSince(started)
    let digest = FileDigest.sha256(data)
    var text =
      "wrote \(path) (\(ValueFormatter.bytes(Double(data.count))), sha256 \(digest.prefix(16))…)"
      + "\nwrote \(requirementsPath) (requirement vector)"
    var fields: [(String, Value)] = [
      ("path", .string(path)), ("bytes", .number(.bytes(data.count))), ("sha256", .string(digest)),
      ("format", .string(format.rawValue)), ("kind", .string(kind)), ("io", .string(io.rawValue)),
      ("model", .string(model.name)), ("requirements", .string(requirementsPath)),
      ("seconds", .number(Quantity(seconds, .time))),
    ]
    if let samples = arguments.dataset("samples") {
      let stem = url.pathExtension.isEmpty ? path : String(path.dropLast(url.pathExtension.count + 1))
      let folder = stem + "_calibration"
      let count: Int
      do {
        count = try SampleDirectoryWriter.write(
          samples.dataset, to: URL(fileURLWithPath: folder), isCancelled: context.environment.isCancelled)
      } catch {
        throw CommandError(error, parameter: "samples")
      }
      text += "\nwrote \(folder)/ (\(count) samples of \(samples.name), float32 as the model takes them)"
      fields += [("samples_path", .string(folder)), ("samples", .number(Quantity(Double(count))))]
    }
    return .record(Record(kind: "export", fields: fields, text: text))
  }

  /// The `io=` choice, checked against the format and the model: only a quantized `.tflite` has integer
  /// edges to choose.
  static func ioChoice(
    _ arguments: BoundArguments, format: ExportFormat, model: ModelValue
  ) throws(CommandError) -> TFLiteIO {
    guard let word = arguments.string("io") else {
      return format == .tflite && model.quantized != nil ? .int8 : .float
    }
    guard let io = TFLiteIO(rawValue: word) else {
      throw CommandError("unknown io '\(word)' (expected int8 or float)", parameter: "io")
    }
    if io == .int8 && (format != .tflite || model.quantized == nil) {
      throw CommandError(
        "io=int8 needs a quantized model written as .tflite; '\(model.name)' is "
          + (model.quantized == nil ? "a float model" : "written as \(format.rawValue)"),
        parameter: "io", hint: model.quantized == nil ? "quantize it first: quantize int8" : nil)
    }
    return io
  }

  /// The file's bytes and what kind of file they are (`int8`, `int4`, `int16x8`, `float32`).
  static func serialize(
    _ model: ModelValue, format: ExportFormat, io: TFLiteIO, staticBatch: Int? = nil,
    requirements: String? = nil
  ) throws(EngineError) -> (Data, String) {
    let vector = requirements.map { [("jumpstation_requirements", $0)] } ?? []
    switch format {
    case .tflite:
      if let quantized = model.quantized {
        let kind = quantized.options.precision.rawValue
        let metadata = [("jumpstation_kind", "\(kind) io=\(io.rawValue)")] + vector
        return (try TFLiteExporter.serialize(quantized.graph, io: io, metadata: metadata), kind)
      }
      let metadata = [("jumpstation_kind", "float32")] + vector
      return (try TFLiteExporter.serialize(floatModel: model.model, metadata: metadata), "float32")
    case .onnx:
      if let quantized = model.quantized { throw ExportFormat.quantizedAsFloatONNX(model, quantized) }
      let float = try staticBatch.map { (batch) throws(EngineError) in
        try model.model.withStaticShapes(batch: batch)
      }
      return (try ONNXExporter.serialize(float ?? model.model), "float32")
    case .onnxQDQ:
      guard let quantized = model.quantized else { throw ExportFormat.floatAsQDQ(model) }
      let batch: String? = staticBatch == nil ? "batch" : nil
      return (
        try ONNXQDQExporter.serialize(quantized.graph, batch: batch), quantized.options.precision.rawValue
      )
    }
  }
}
