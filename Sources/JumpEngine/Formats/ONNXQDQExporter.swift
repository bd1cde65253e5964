import Foundation
import ONNXProto
import SwiftProtobuf

/// Writes a quantized graph as ONNX in QDQ form: float ops between `QuantizeLinear`/`DequantizeLinear`
/// pairs, the layout ONNX Runtime's own `quantize_static` produces and its CPU provider fuses into
/// integer kernels.
///
/// Every activation the device holds as an integer is written as a Q→DQ pair with its scale and zero
/// point, weights and biases as integer initializers read through `DequantizeLinear` (per-axis for
/// per-channel weights), so a QDQ runtime sees exactly the device's parameters. Graph inputs and outputs
/// stay float32, as in ONNX Runtime's QDQ models. Opset 21 is written because it is the first where
/// `QuantizeLinear`/`DequantizeLinear` take int16 (int16x8 activations) and int4 (W4A8 weights).
///
/// ONNX Runtime requantizes in float where TFLite uses fixed-point multipliers, so its outputs agree
/// with the integer executor to within rounding (a step here and there), not bit for bit.
public enum ONNXQDQExporter {
  /// The opset written.
  public static let opset = 21
  /// The IR version written (ONNX 1.15+, which opset 21 needs).
  public static let irVersion: Int64 = 10

  /// Serializes `graph` to ONNX protobuf bytes.
  ///
  /// - Parameter batch: the name of the symbolic batch dimension of inputs and outputs, or nil to keep
  ///   the batch the graph was lowered at (a static shape).
  public static func serialize(_ graph: QuantizedGraph, batch: String? = "batch") throws(EngineError) -> Data
  {
    let proto = try modelProto(graph, batch: batch)
    do {
      return try proto.serializedBytes()
    } catch {
      throw EngineError(.io, "cannot serialize the QDQ model (\(error))")
    }
  }

  /// Writes `graph` to `url` atomically (temporary file in the same directory, then rename).
  public static func write(_ graph: QuantizedGraph, to url: URL, batch: String? = "batch") throws(EngineError)
  {
    try AtomicFile.write(try serialize(graph, batch: batch), to: url)
  }

  /// Builds the `ModelProto`.
  static func modelProto(_ graph: QuantizedGraph, batch: String?) throws(EngineError) -> Onnx_ModelProto {
    try graph.validate()
    var builder = ONNXQDQGraphBuilder(graph: graph, batch: batch)
    var proto = Onnx_ModelProto()
    proto.irVersion = irVersion
    proto.producerName = "jumpstation"
    proto.producerVersion = JumpEngineInfo.version
    var opsetID = Onnx_OperatorSetIdProto()
    opsetID.domain = ""
    opsetID.version = Int64(opset)
    proto.opsetImport = [opsetID]
    proto.graph = try builder.build()
    return proto
  }
}
