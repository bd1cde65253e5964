import Foundation
import JumpEngine
import Testing

@Suite struct PNGDecoderTests {
  /// Deterministic pseudo-random bytes.
  func bytes(_ count: Int, seed: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 7919 &+ seed &* 104_729) ^ ($0 >> 3) &* 31) }
  }

  @Test(arguments: [1, 2, 3, 4])
  func everyEightBitColorTypeDecodesChannelsFirst(channels: Int) throws {
    let (width, height) = (5, 3)
    let pixels = bytes(channels * width * height, seed: channels)
    let image = try PNGDecoder.decode(
      pngData(channels: channels, width: width, height: height, pixels: pixels), label: "t.png")
    #expect(image.shape == [channels, height, width])
    #expect(image.pixels == pixels.map(Float.init))
  }

  @Test(arguments: [UInt8(0), 1, 2, 3, 4])
  func everyFilterTypeOnRGBAndGray(filter: UInt8) throws {
    for channels in [1, 3] {
      let (width, height) = (7, 4)
      let pixels = bytes(channels * width * height, seed: Int(filter) + 10 * channels)
      let data = pngData(channels: channels, width: width, height: height, pixels: pixels, filters: [filter])
      #expect(try PNGDecoder.decode(data, label: "f.png").pixels == pixels.map(Float.init))
    }
  }

  @Test func mixedFiltersSplitIDATAndRealDeflate() throws {
    let (width, height) = (9, 6)
    var rows: [[UInt8]] = []
    for y in 0..<height { rows.append(bytes(width * 4, seed: y)) }
    for compress in [false, true] {
      let encoder = PNGTestEncoder(
        width: width, height: height, colorType: 6, rows: rows, filters: [0, 1, 2, 3, 4, 4],
        idatChunks: 3, compress: compress)
      let image = try PNGDecoder.decode(encoder.encode(), label: "m.png")
      #expect(image.shape == [4, height, width])
      for y in 0..<height {
        for x in 0..<width {
          for c in 0..<4 {
            #expect(image.pixels[c * width * height + y * width + x] == Float(rows[y][x * 4 + c]))
          }
        }
      }
    }
  }

  @Test func paletteAndLowBitDepths() throws {
    let palette: [UInt8] = [10, 20, 30, 40, 50, 60, 70, 80, 90, 200, 210, 220]
    // 2-bit palette indices, 5 pixels in a row: 0 1 2 3 1 -> 0b00011011, 0b01000000
    let encoder = PNGTestEncoder(
      width: 5, height: 1, colorType: 3, bitDepth: 2, rows: [[0b0001_1011, 0b0100_0000]], palette: palette)
    let image = try PNGDecoder.decode(encoder.encode(), label: "p.png")
    #expect(image.shape == [3, 1, 5])
    #expect(image.pixels == [10, 40, 70, 200, 40, 20, 50, 80, 210, 50, 30, 60, 90, 220, 60])
    let eight = PNGTestEncoder(width: 2, height: 1, colorType: 3, rows: [[3, 0]], palette: palette)
    #expect(try PNGDecoder.decode(eight.encode(), label: "p8.png").pixels == [200, 10, 210, 20, 220, 30])
    // 1-bit and 4-bit gray are stretched to 0...255.
    let oneBit = PNGTestEncoder(width: 3, height: 1, colorType: 0, bitDepth: 1, rows: [[0b1010_0000]])
    #expect(try PNGDecoder.decode(oneBit.encode(), label: "g1.png").pixels == [255, 0, 255])
    let fourBit = PNGTestEncoder(
      width: 2, height: 2, colorType: 0, bitDepth: 4, rows: [[0x0F], [0x53]], filters: [2])
    #expect(try PNGDecoder.decode(fourBit.encode(), label: "g4.png").pixels == [0, 255, 85, 51])
  }

  func failure(_ data: Data) -> EngineError? {
    engineError { _ = try PNGDecoder.decode(data, label: "/data/bad.png") }
  }

  @Test func badInputIsOneLineNamingTheFile() throws {
    let good = pngData(channels: 3, width: 4, height: 4, pixels: bytes(48, seed: 1), filters: [4])
    var cases: [(Data, String)] = []
    var signature = good
    signature[1] = 0x51
    cases.append((signature, "not a PNG image (bad signature)"))
    var crc = good
    crc[crc.count - 20] ^= 0x55  // inside the IDAT data
    cases.append((crc, "CRC mismatch in chunk IDAT"))
    cases.append((good.prefix(20), "truncated PNG image"))
    cases.append((good.prefix(good.count - 12), "truncated PNG image"))
    cases.append((good.prefix(good.count - 30), "truncated PNG image"))
    let interlaced = PNGTestEncoder(
      width: 2, height: 2, colorType: 0, rows: [[1, 2], [3, 4]], interlace: 1)
    cases.append((interlaced.encode(), "interlaced (Adam7) PNG images are not supported"))
    let deep = PNGTestEncoder(width: 1, height: 1, colorType: 0, bitDepth: 16, rows: [[1, 2]])
    cases.append((deep.encode(), "16-bit PNG images are not supported"))
    let badFilter = PNGTestEncoder(width: 2, height: 1, colorType: 0, rows: [[1, 2]], filters: [7])
    cases.append((badFilter.encode(), "unknown filter type 7 on row 0"))
    let noPalette = PNGTestEncoder(width: 1, height: 1, colorType: 3, rows: [[0]])
    cases.append((noPalette.encode(), "palette image without a PLTE chunk"))
    let badIndex = PNGTestEncoder(
      width: 1, height: 1, colorType: 3, rows: [[2]], palette: [1, 2, 3, 4, 5, 6])
    cases.append((badIndex.encode(), "palette index 2 on row 0 but the palette has 2 colours"))
    let short = PNGTestEncoder(width: 4, height: 2, colorType: 0, rows: [[1, 2, 3, 4]])
    cases.append((short.encode(), "image data has 5 of 10 bytes"))
    for (data, expected) in cases {
      let error = try #require(failure(data), "\(expected)")
      #expect(error.kind == .invalidData)
      #expect(error.message.hasPrefix("/data/bad.png: "), "\(error.message)")
      #expect(error.message.contains(expected), "\(error.message)")
      #expect(!error.message.contains("\n"))
    }
  }
}
