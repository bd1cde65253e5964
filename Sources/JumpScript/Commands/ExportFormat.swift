import Foundation
import JumpEngine

/// The file formats `export` writes, chosen by `format=` or by the path's extension.
enum ExportFormat: String, Sendable, CaseIterable {
  /// TFLite flatbuffer: fully integer, int4 weights, int16x8, or float32.
  case tflite
  /// Float ONNX.
  case onnx
  /// ONNX in QDQ form (QuantizeLinear/DequantizeLinear around float ops) for a quantized model.
  case onnxQDQ = "onnx-qdq"

  /// The format `format=` names, else the one the extension implies: `.onnx` is QDQ for a quantized model,
  /// since that is the only ONNX that keeps its quantization.
  static func resolve(_ given: String?, path: String, quantized: Bool) throws(CommandError) -> ExportFormat {
    if let given {
      guard let format = ExportFormat(rawValue: given) else {
        let known = allCases.map(\.rawValue).joined(separator: ", ")
        throw CommandError("unknown format '\(given)' (expected \(known))", parameter: "format")
      }
      return format
    }
    let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
    switch ext {
    case "tflite": return .tflite
    case "onnx": return quantized ? .onnxQDQ : .onnx
    default:
      throw CommandError(
        "cannot tell the format of '\(path)' from its extension", parameter: "path",
        hint: "end the path in .tflite or .onnx, or give format=")
    }
  }

  /// The error for `format=onnx` (float) on a quantized model.
  static func quantizedAsFloatONNX(_ model: ModelValue, _ quantized: QuantizedModel) -> EngineError {
    EngineError(
      .unsupportedOp,
      "'\(model.name)' is quantized (\(quantized.options.precision)); format=onnx writes float models: "
        + "use format=onnx-qdq, or export its float origin")
  }

  /// The error for `format=onnx-qdq` on a float model.
  static func floatAsQDQ(_ model: ModelValue) -> EngineError {
    EngineError(
      .invalidData, "'\(model.name)' is a float model; QDQ ONNX needs a quantized one (quantize int8 first)")
  }
}
