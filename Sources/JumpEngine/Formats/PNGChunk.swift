import Foundation
import ZIPFoundation

/// One chunk of a PNG file: a four-letter type and its data, CRC-checked when read.
struct PNGChunk {
  /// The chunk type (`IHDR`, `PLTE`, `IDAT`, `IEND`, ...).
  var type: String
  /// Where the chunk's data lies in the file's bytes.
  var data: Range<Int>

  /// Whether a decoder must understand the chunk (its first letter is upper case).
  var isCritical: Bool { type.first?.isUppercase ?? true }

  /// Splits a PNG file (after its signature) into chunks up to and including `IEND`.
  ///
  /// Throws `invalidData` labelled `label` when a chunk runs past the end of the file, a CRC does not
  /// match, or the file ends without `IEND`.
  static func chunks(of bytes: [UInt8], label: String) throws(EngineError) -> [PNGChunk] {
    var chunks: [PNGChunk] = []
    var at = 8
    while true {
      guard at + 12 <= bytes.count else {
        throw EngineError.invalidData(label, "truncated PNG image (no IEND chunk)")
      }
      let length = Int(bigEndian(bytes, at))
      guard length < 1 << 31, at + 12 + length <= bytes.count else {
        throw EngineError.invalidData(label, "truncated PNG image (a chunk runs past the end of the file)")
      }
      let typeBytes = bytes[at + 4..<at + 8]
      guard typeBytes.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) }) else {
        throw EngineError.invalidData(label, "corrupt PNG image: invalid chunk type at byte \(at + 4)")
      }
      let type = String(decoding: typeBytes, as: UTF8.self)
      let crc = bytes.withUnsafeBufferPointer { buffer in
        Data(buffer[at + 4..<at + 8 + length]).crc32(checksum: 0)
      }
      guard crc == bigEndian(bytes, at + 8 + length) else {
        throw EngineError.invalidData(label, "corrupt PNG image: CRC mismatch in chunk \(type)")
      }
      chunks.append(PNGChunk(type: type, data: at + 8..<at + 8 + length))
      if type == "IEND" { return chunks }
      at += 12 + length
    }
  }

  /// The big-endian 32-bit value at `at`.
  static func bigEndian(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
  }
}
