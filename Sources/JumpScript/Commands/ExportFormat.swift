import Foundation
import JumpEngine

/// The file formats `export` writes, chosen by `format=` or by the path's extension.
enum ExportFormat: String, Sendable, CaseIterable {
  case tflite
  case onnx

  /// The format `format=` names, else the one the extension implies.
  static func resolve(_ given: String?, path: String) throws(CommandError) -> ExportFormat {
    if let given {
      guard let format = ExportFormat(rawValue: given) else {
        let known = allCases.map(\.rawValue).joined(separator: ", ")
        throw CommandError("unknown format '\(given)' (expected \(known))", parameter: "format")
      }
      return format
    }
    let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
    guard let format = ExportFormat(rawValue: ext) else {
      throw CommandError(
        "cannot tell the format of '\(path)' from its extension", parameter: "path",
        hint: "end the path in .tflite or .onnx, or give format=")
    }
    return format
  }

  /// The error for ONNX of a quantized model, until a QDQ writer exists.
  ///
  /// Replace this path when the ONNX QDQ writer (`format=onnx-qdq`) lands.
  static func quantizedONNXNotYet(_ model: ModelValue, _ quantized: QuantizedModel) -> EngineError {
    EngineError(
      .unsupportedOp,
      "'\(model.name)' is quantized (\(quantized.options.precision)); ONNX export of quantized models (QDQ) "
        + "is not available yet: write it as .tflite, or export its float origin as ONNX")
  }
}
