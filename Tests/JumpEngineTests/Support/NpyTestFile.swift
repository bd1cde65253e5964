import Foundation
import JumpEngine

/// Builds `.npy` bytes the way NumPy writes them (header padded so the data starts 64-byte aligned).
func npyData(
  descr: String, shape: [Int], payload: Data, fortran: Bool = false, version: UInt8 = 1,
  rawHeader: String? = nil
) -> Data {
  let shapeText =
    shape.isEmpty
    ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  var header =
    rawHeader
    ?? "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
  let prefix = version == 1 ? 10 : 12
  while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
  header += "\n"
  var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0])
  let n = header.utf8.count
  if version == 1 {
    data.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8)])
  } else {
    data.append(contentsOf: [
      UInt8(n & 0xff), UInt8((n >> 8) & 0xff), UInt8((n >> 16) & 0xff), UInt8(n >> 24),
    ])
  }
  data.append(Data(header.utf8))
  data.append(payload)
  return data
}

/// `.npy` bytes of a tensor.
func npyData(_ tensor: Tensor, version: UInt8 = 1) -> Data {
  let descr: String
  switch tensor.dtype {
  case .float32: descr = "<f4"
  case .float64: descr = "<f8"
  case .int64: descr = "<i8"
  case .int32: descr = "<i4"
  case .int8: descr = "|i1"
  case .uint8: descr = "|u1"
  case .bool: descr = "|b1"
  }
  return npyData(descr: descr, shape: tensor.shape, payload: tensor.littleEndianBytes, version: version)
}
