import Foundation
import ZIPFoundation

/// The `IHDR` of a PNG image: its size and how its pixels are stored.
///
/// Supported: 8-bit grayscale, gray+alpha, RGB and RGBA; grayscale and palette at 1, 2, 4 or 8 bits;
/// non-interlaced. 16-bit samples and Adam7 interlacing are rejected with a message saying so.
public struct PNGHeader: Sendable, Equatable {
  /// How a PNG stores the colour of a pixel (the `IHDR` colour type).
  public enum ColorType: UInt8, Sendable {
    /// One gray sample.
    case gray = 0
    /// Red, green, blue.
    case rgb = 2
    /// An index into the palette.
    case palette = 3
    /// Gray and alpha.
    case grayAlpha = 4
    /// Red, green, blue and alpha.
    case rgba = 6

    /// Samples stored per pixel.
    var storedSamples: Int {
      switch self {
      case .gray, .palette: return 1
      case .grayAlpha: return 2
      case .rgb: return 3
      case .rgba: return 4
      }
    }

    /// The bit depths the PNG specification allows for this colour type.
    var allowedDepths: [Int] {
      switch self {
      case .gray: return [1, 2, 4, 8, 16]
      case .palette: return [1, 2, 4, 8]
      case .rgb, .grayAlpha, .rgba: return [8, 16]
      }
    }
  }

  /// Pixels per row.
  public var width: Int
  /// Rows.
  public var height: Int
  /// Bits per stored sample.
  public var bitDepth: Int
  /// The colour type.
  public var colorType: ColorType

  /// Channels of the decoded image: gray 1, gray+alpha 2, RGB and palette 3 (palette transparency is
  /// ignored), RGBA 4.
  public var channels: Int {
    switch colorType {
    case .gray: return 1
    case .grayAlpha: return 2
    case .rgb, .palette: return 3
    case .rgba: return 4
    }
  }

  /// The decoded sample shape, channels first: `[channels, height, width]`.
  public var shape: [Int] { [channels, height, width] }

  /// Bytes per complete pixel, at least 1: the distance the Sub, Average and Paeth filters look back.
  var filterStride: Int { max(1, colorType.storedSamples * bitDepth / 8) }
  /// Bytes per scanline, without the filter-type byte.
  var rowBytes: Int { (width * colorType.storedSamples * bitDepth + 7) / 8 }

  /// The eight bytes every PNG file starts with.
  static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
  /// How many bytes of a file hold the signature and the whole `IHDR` chunk.
  static let prefixLength = 8 + 8 + 13 + 4

  /// Parses the signature and `IHDR` at the start of `data`, checking the chunk's CRC.
  ///
  /// Throws `invalidData` labelled `label` for a bad signature, a truncated file, a CRC mismatch, invalid
  /// fields, and (clearly) for 16-bit or interlaced images.
  static func parse(_ data: Data, label: String) throws(EngineError) -> PNGHeader {
    let bytes = [UInt8](data.prefix(prefixLength))
    guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
      throw EngineError.invalidData(label, "not a PNG image (bad signature)")
    }
    guard bytes.count == prefixLength else {
      throw EngineError.invalidData(label, "truncated PNG image (the header is incomplete)")
    }
    guard PNGChunk.bigEndian(bytes, 8) == 13, String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR" else {
      throw EngineError.invalidData(label, "corrupt PNG image: the first chunk is not a 13-byte IHDR")
    }
    let crc = Data(bytes[12..<29]).crc32(checksum: 0)
    guard crc == PNGChunk.bigEndian(bytes, 29) else {
      throw EngineError.invalidData(label, "corrupt PNG image: CRC mismatch in chunk IHDR")
    }
    let width = Int(PNGChunk.bigEndian(bytes, 16))
    let height = Int(PNGChunk.bigEndian(bytes, 20))
    let depth = Int(bytes[24])
    guard width > 0, height > 0, width < 1 << 31, height < 1 << 31 else {
      throw EngineError.invalidData(label, "corrupt PNG image: size \(width)×\(height)")
    }
    guard let colorType = ColorType(rawValue: bytes[25]), colorType.allowedDepths.contains(depth) else {
      throw EngineError.invalidData(
        label, "corrupt PNG image: colour type \(bytes[25]) with bit depth \(depth) is not valid PNG")
    }
    guard bytes[26] == 0, bytes[27] == 0 else {
      throw EngineError.invalidData(label, "corrupt PNG image: unknown compression or filter method")
    }
    guard bytes[28] == 0 else {
      throw EngineError.invalidData(
        label,
        bytes[28] == 1
          ? "interlaced (Adam7) PNG images are not supported; save the image without interlacing"
          : "corrupt PNG image: unknown interlace method \(bytes[28])")
    }
    guard depth != 16 else {
      throw EngineError.invalidData(
        label, "16-bit PNG images are not supported; save the image with 8 bits per sample")
    }
    return PNGHeader(width: width, height: height, bitDepth: depth, colorType: colorType)
  }
}
