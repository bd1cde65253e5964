import Foundation
import ONNXProto

/// Conversions between ONNX `TensorProto` element codes and tensors and the engine's `DType` and `Tensor`.
enum ONNXTensorConversion {
  /// The ONNX `TensorProto.DataType` code of a dtype.
  static func onnxCode(_ dtype: DType) -> Int32 {
    switch dtype {
    case .float32: return 1
    case .uint8: return 2
    case .int8: return 3
    case .int32: return 6
    case .int64: return 7
    case .bool: return 9
    case .float64: return 11
    }
  }

  /// The dtype for an ONNX element code, or nil for types the engine does not handle.
  static func dtype(onnxCode code: Int32) -> DType? {
    switch code {
    case 1: return .float32
    case 2: return .uint8
    case 3: return .int8
    case 6: return .int32
    case 7: return .int64
    case 9: return .bool
    case 11: return .float64
    default: return nil
    }
  }

  /// A readable name for an ONNX element code (`float16`, `string`, ...).
  static func onnxTypeName(_ code: Int32) -> String {
    if let t = Onnx_TensorProto.DataType(rawValue: Int(code)) { return "\(t)" }
    return "type \(code)"
  }

  /// Converts an initializer or constant; `what` names it in errors (`initializer 'w'`).
  static func tensor(from proto: Onnx_TensorProto, what: String) throws(EngineError) -> Tensor {
    if proto.dataLocation == .external || !proto.externalData.isEmpty {
      throw EngineError(
        .invalidModel,
        "\(what) stores its data in an external file, which is not supported; save the model with the weights embedded"
      )
    }
    guard let dtype = dtype(onnxCode: proto.dataType) else {
      throw EngineError(
        .unsupportedOp, "\(what) has unsupported element type \(onnxTypeName(proto.dataType))")
    }
    let shape = proto.dims.map { Int(clamping: $0) }
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw EngineError(.invalidModel, "\(what) has a negative dimension")
    }
    let (count, overflow) = shape.reduce((1, false)) { acc, d in
      let (p, o) = acc.0.multipliedReportingOverflow(by: d)
      return (p, acc.1 || o)
    }
    guard !overflow, count <= Int(Int32.max) * 4 else {
      throw EngineError(.invalidModel, "\(what) is too large (shape \(shape))")
    }
    if proto.hasRawData {
      let expected = count * dtype.byteSize
      guard proto.rawData.count == expected else {
        throw EngineError(
          .invalidModel,
          "\(what) has \(proto.rawData.count) bytes of raw_data, expected \(expected) for \(dtype) \(shape)")
      }
      return try Tensor(shape: shape, dtype: dtype, littleEndianBytes: proto.rawData)
    }
    let storage: Tensor.Storage
    switch dtype {
    case .float32: storage = .float32(proto.floatData)
    case .float64: storage = .float64(proto.doubleData)
    case .int64: storage = .int64(proto.int64Data)
    case .int32: storage = .int32(proto.int32Data)
    case .int8: storage = .int8(proto.int32Data.map { Int8(truncatingIfNeeded: $0) })
    case .uint8: storage = .uint8(proto.int32Data.map { UInt8(truncatingIfNeeded: $0) })
    case .bool: storage = .bool(proto.int32Data.map { $0 != 0 })
    }
    guard storage.count == count else {
      throw EngineError(
        .invalidModel, "\(what) has \(storage.count) typed elements, expected \(count) for \(dtype) \(shape)")
    }
    return Tensor(shape: shape, storage: storage)
  }

  /// Converts a tensor to an ONNX `TensorProto` with `raw_data`.
  static func proto(_ tensor: Tensor, name: String) -> Onnx_TensorProto {
    var proto = Onnx_TensorProto()
    proto.name = name
    proto.dims = tensor.shape.map { Int64($0) }
    proto.dataType = onnxCode(tensor.dtype)
    proto.rawData = tensor.littleEndianBytes
    return proto
  }

  /// Converts an ONNX value description to a `ValueInfo`; `what` names it in errors.
  static func valueInfo(_ proto: Onnx_ValueInfoProto, what: String) throws(EngineError) -> ValueInfo {
    guard case .tensorType(let tensorType)? = proto.type.value else {
      throw EngineError(.unsupportedOp, "\(what) is not a tensor")
    }
    guard let dtype = dtype(onnxCode: tensorType.elemType) else {
      throw EngineError(
        .unsupportedOp, "\(what) has unsupported element type \(onnxTypeName(tensorType.elemType))")
    }
    guard tensorType.hasShape else { throw EngineError(.invalidModel, "\(what) has no shape") }
    var dims: [Dim] = []
    for (i, d) in tensorType.shape.dim.enumerated() {
      switch d.value {
      case .dimValue(let v)?:
        guard v >= 0 else { throw EngineError(.invalidModel, "\(what) has negative dimension \(v)") }
        dims.append(.fixed(Int(v)))
      case .dimParam(let s)? where !s.isEmpty: dims.append(.symbolic(s))
      default: dims.append(.symbolic("\(proto.name)_dim\(i)"))
      }
    }
    return ValueInfo(name: proto.name, shape: dims, dtype: dtype)
  }

  /// Converts a `ValueInfo` to an ONNX value description.
  static func proto(_ info: ValueInfo) -> Onnx_ValueInfoProto {
    var tensorType = Onnx_TypeProto.Tensor()
    tensorType.elemType = onnxCode(info.dtype)
    var shape = Onnx_TensorShapeProto()
    shape.dim = info.shape.map { d in
      var dim = Onnx_TensorShapeProto.Dimension()
      switch d {
      case .fixed(let v): dim.dimValue = Int64(v)
      case .symbolic(let s): dim.dimParam = s
      }
      return dim
    }
    tensorType.shape = shape
    var proto = Onnx_ValueInfoProto()
    proto.name = info.name
    proto.type.tensorType = tensorType
    return proto
  }
}
