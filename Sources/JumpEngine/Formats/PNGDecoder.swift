import Foundation

/// A decoded PNG image: channels-first float32 samples in [0, 255].
public struct PNGImage: Sendable, Equatable {
  /// The image header.
  public var header: PNGHeader
  /// `channels × height × width` values, channel planes one after another.
  public var pixels: [Float]

  /// `[channels, height, width]`.
  public var shape: [Int] { header.shape }
}

/// Decodes PNG images (see ``PNGHeader`` for the supported kinds) into channels-first float32 planes.
///
/// Every chunk's CRC is checked; the zlib stream is inflated with ``DatasetInflater``; scanlines are
/// unfiltered by ``PNGScanlines``. Errors are one line naming the image.
public enum PNGDecoder {
  /// Decodes the PNG file at `path`.
  public static func decode(path: String) throws(EngineError) -> PNGImage {
    try decode(try DatasetFileReader.contents(path: path), label: path)
  }

  /// Decodes PNG bytes; `label` names the image in errors.
  public static func decode(_ data: Data, label: String) throws(EngineError) -> PNGImage {
    var pixels: [Float] = []
    let header = try decode(data, label: label, appendingTo: &pixels)
    return PNGImage(header: header, pixels: pixels)
  }

  /// Decodes PNG bytes, appending the channels-first samples to `output`; returns the header.
  static func decode(
    _ data: Data, label: String, appendingTo output: inout [Float]
  ) throws(EngineError)
    -> PNGHeader
  {
    let header = try PNGHeader.parse(data, label: label)
    let bytes = [UInt8](data)
    let chunks = try PNGChunk.chunks(of: bytes, label: label)
    var palette: [UInt8] = []
    var compressed: [UInt8] = []
    for chunk in chunks.dropFirst() {
      switch chunk.type {
      case "IHDR":
        throw EngineError.invalidData(label, "corrupt PNG image: more than one IHDR chunk")
      case "PLTE":
        guard chunk.data.count % 3 == 0, (3...768).contains(chunk.data.count) else {
          throw EngineError.invalidData(label, "corrupt PNG image: palette of \(chunk.data.count) bytes")
        }
        palette = Array(bytes[chunk.data])
      case "IDAT":
        compressed.append(contentsOf: bytes[chunk.data])
      case "IEND":
        break
      default:
        if chunk.isCritical {
          throw EngineError.invalidData(label, "unsupported PNG image: unknown critical chunk \(chunk.type)")
        }
      }
    }
    if header.colorType == .palette && palette.isEmpty {
      throw EngineError.invalidData(label, "corrupt PNG image: palette image without a PLTE chunk")
    }
    var raw = try inflate(compressed, expected: header.height * (header.rowBytes + 1), label: label)
    try PNGScanlines.decode(&raw, header: header, palette: palette, label: label, appendingTo: &output)
    return header
  }

  /// Inflates the concatenated `IDAT` data (a zlib stream) to exactly `expected` bytes.
  private static func inflate(_ stream: [UInt8], expected: Int, label: String) throws(EngineError) -> [UInt8]
  {
    guard stream.count >= 2 else {
      throw EngineError.invalidData(label, "truncated PNG image (no image data)")
    }
    let cmf = Int(stream[0])
    let flags = Int(stream[1])
    guard cmf & 0x0F == 8, cmf >> 4 <= 7, (cmf << 8 | flags) % 31 == 0, flags & 0x20 == 0 else {
      throw EngineError.invalidData(label, "corrupt PNG image: bad zlib header")
    }
    var raw: [UInt8] = []
    raw.reserveCapacity(expected)
    var overflow = false
    let body = Data(stream[2...])
    _ = try DatasetInflater.inflate(
      length: body.count, label: label, bufferSize: 16_384,
      read: { (offset, count) throws(EngineError) in body.subdata(in: offset..<offset + count) },
      consumer: { (chunk) throws(EngineError) in
        guard raw.count + chunk.count <= expected else {
          overflow = true
          return false
        }
        raw.append(contentsOf: chunk)
        return true
      })
    if overflow {
      throw EngineError.invalidData(label, "corrupt PNG image: more image data than the header's size")
    }
    guard raw.count == expected else {
      throw EngineError.invalidData(
        label, "truncated PNG image (image data has \(raw.count) of \(expected) bytes)")
    }
    return raw
  }
}
