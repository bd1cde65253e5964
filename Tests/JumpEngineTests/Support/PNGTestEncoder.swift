import Foundation
import ZIPFoundation

/// A tiny PNG writer for tests: it filters rows with the filter types asked for and stores the zlib
/// stream in uncompressed DEFLATE blocks (or real DEFLATE through ZIPFoundation when `compress` is set).
struct PNGTestEncoder {
  var width: Int
  var height: Int
  var colorType: UInt8
  var bitDepth: UInt8 = 8
  /// Unfiltered row bytes, one array of `rowBytes` per row.
  var rows: [[UInt8]]
  /// The filter type of each row (cycled when shorter than `rows`).
  var filters: [UInt8] = [0]
  var palette: [UInt8]? = nil
  var interlace: UInt8 = 0
  /// Split the zlib stream over this many IDAT chunks.
  var idatChunks = 1
  var compress = false

  /// Samples per pixel for the colour type.
  var samples: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colorType)] ?? 1 }
  /// Bytes a filter looks back.
  var stride: Int { max(1, samples * Int(bitDepth) / 8) }

  /// The PNG file.
  func encode() -> Data {
    var file = Data([137, 80, 78, 71, 13, 10, 26, 10])
    var header = Data()
    header.append(bigEndian(UInt32(width)))
    header.append(bigEndian(UInt32(height)))
    header.append(contentsOf: [bitDepth, colorType, 0, 0, interlace])
    file.append(chunk("IHDR", header))
    if let palette { file.append(chunk("PLTE", Data(palette))) }
    file.append(chunk("tEXt", Data("Comment\0made by a test".utf8)))
    let stream = zlib(filteredRows())
    let piece = (stream.count + idatChunks - 1) / idatChunks
    var start = 0
    while start < stream.count {
      let end = min(stream.count, start + piece)
      file.append(chunk("IDAT", stream.subdata(in: start..<end)))
      start = end
    }
    file.append(chunk("IEND", Data()))
    return file
  }

  /// The filter-type byte and filtered bytes of every row.
  func filteredRows() -> Data {
    var out = Data()
    var prior = [UInt8](repeating: 0, count: rows.first?.count ?? 0)
    for (y, row) in rows.enumerated() {
      let type = filters[y % filters.count]
      out.append(type)
      for i in 0..<row.count {
        let a = i >= stride ? Int(row[i - stride]) : 0
        let b = Int(prior[i])
        let c = i >= stride ? Int(prior[i - stride]) : 0
        let predicted: Int
        switch type {
        case 1: predicted = a
        case 2: predicted = b
        case 3: predicted = (a + b) >> 1
        case 4: predicted = paethPredictor(a, b, c)
        default: predicted = 0
        }
        out.append(UInt8(truncatingIfNeeded: Int(row[i]) - predicted))
      }
      prior = row
    }
    return out
  }

  /// A zlib stream of `data`: header, DEFLATE blocks, Adler-32.
  func zlib(_ data: Data) -> Data {
    var out = Data([0x78, 0x01])
    if compress {
      var deflated = Data()
      _ = try? Data.compress(
        size: Int64(data.count), bufferSize: 4096,
        provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) },
        consumer: { deflated.append($0) })
      out.append(deflated)
    } else {
      var start = 0
      repeat {
        let end = min(data.count, start + 65_535)
        let length = end - start
        out.append(end == data.count ? 1 : 0)
        out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        out.append(contentsOf: [UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)])
        out.append(data.subdata(in: start..<end))
        start = end
      } while start < data.count
    }
    var a: UInt32 = 1
    var b: UInt32 = 0
    for byte in data {
      a = (a + UInt32(byte)) % 65_521
      b = (b + a) % 65_521
    }
    out.append(bigEndian(b << 16 | a))
    return out
  }
}

/// The Paeth predictor, as the PNG specification defines it.
func paethPredictor(_ a: Int, _ b: Int, _ c: Int) -> Int {
  let p = a + b - c
  let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
  if pa <= pb && pa <= pc { return a }
  return pb <= pc ? b : c
}

/// A PNG chunk: length, type, data, CRC-32 of type and data.
func chunk(_ type: String, _ data: Data) -> Data {
  var body = Data(type.utf8)
  body.append(data)
  var out = bigEndian(UInt32(data.count))
  out.append(body)
  out.append(bigEndian(body.crc32(checksum: 0)))
  return out
}

/// Four big-endian bytes.
func bigEndian(_ value: UInt32) -> Data {
  Data([UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
}

/// A PNG of channels-first 8-bit pixels (`channels` 1, 2, 3 or 4) with the given filters.
func pngData(channels: Int, width: Int, height: Int, pixels: [UInt8], filters: [UInt8] = [0]) -> Data {
  let plane = width * height
  var rows: [[UInt8]] = []
  for y in 0..<height {
    var row: [UInt8] = []
    for x in 0..<width {
      for c in 0..<channels { row.append(pixels[c * plane + y * width + x]) }
    }
    rows.append(row)
  }
  let colorType: UInt8 = [1: 0, 2: 4, 3: 2, 4: 6][channels] ?? 0
  return PNGTestEncoder(width: width, height: height, colorType: colorType, rows: rows, filters: filters)
    .encode()
}
