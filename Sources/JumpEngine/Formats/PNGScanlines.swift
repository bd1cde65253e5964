/// Reverses PNG scanline filtering and spreads the pixels into channels-first float32 planes.
enum PNGScanlines {
  /// Unfilters `raw` (each row a filter-type byte followed by `rowBytes` bytes) and appends the image's
  /// `channels × height × width` samples to `output`.
  ///
  /// Gray at 1, 2 or 4 bits is stretched to 0...255; palette indices are looked up (an index past the
  /// palette is an error); other samples are taken as they are.
  static func decode(
    _ raw: [UInt8], header: PNGHeader, palette: [UInt8], label: String, appendingTo output: inout [Float]
  ) throws(EngineError) {
    let rowBytes = header.rowBytes
    let stride = header.filterStride
    var current = [UInt8](repeating: 0, count: rowBytes)
    var previous = [UInt8](repeating: 0, count: rowBytes)
    let plane = header.width * header.height
    let base = output.count
    output.append(contentsOf: repeatElement(0, count: plane * header.channels))
    for y in 0..<header.height {
      let start = y * (rowBytes + 1)
      let filter = raw[start]
      for i in 0..<rowBytes { current[i] = raw[start + 1 + i] }
      try unfilter(&current, previous: previous, type: filter, stride: stride, row: y, label: label)
      try spread(current, row: y, header: header, palette: palette, label: label) { channel, x, value in
        output[base + channel * plane + y * header.width + x] = value
      }
      swap(&current, &previous)
    }
  }

  /// Undoes one row's filter in place, given the unfiltered row above (zeros for the first row).
  static func unfilter(
    _ row: inout [UInt8], previous: [UInt8], type: UInt8, stride: Int, row index: Int, label: String
  ) throws(EngineError) {
    switch type {
    case 0:
      return
    case 1:
      for i in stride..<max(stride, row.count) { row[i] = row[i] &+ row[i - stride] }
    case 2:
      for i in 0..<row.count { row[i] = row[i] &+ previous[i] }
    case 3:
      for i in 0..<row.count {
        let left = i >= stride ? Int(row[i - stride]) : 0
        row[i] = row[i] &+ UInt8((left + Int(previous[i])) / 2)
      }
    case 4:
      for i in 0..<row.count {
        let left = i >= stride ? Int(row[i - stride]) : 0
        let upLeft = i >= stride ? Int(previous[i - stride]) : 0
        row[i] = row[i] &+ paeth(left, Int(previous[i]), upLeft)
      }
    default:
      throw EngineError.invalidData(label, "corrupt PNG image: unknown filter type \(type) on row \(index)")
    }
  }

  /// The Paeth predictor: whichever of left, up and upper-left is closest to `left + up - upLeft`.
  static func paeth(_ left: Int, _ up: Int, _ upLeft: Int) -> UInt8 {
    let estimate = left + up - upLeft
    let toLeft = abs(estimate - left)
    let toUp = abs(estimate - up)
    let toUpLeft = abs(estimate - upLeft)
    if toLeft <= toUp && toLeft <= toUpLeft { return UInt8(left) }
    if toUp <= toUpLeft { return UInt8(up) }
    return UInt8(upLeft)
  }

  /// Calls `store(channel, x, value)` for every sample of an unfiltered row.
  private static func spread(
    _ row: [UInt8], row y: Int, header: PNGHeader, palette: [UInt8], label: String,
    store: (Int, Int, Float) -> Void
  ) throws(EngineError) {
    let width = header.width
    switch header.colorType {
    case .rgb, .rgba, .grayAlpha:
      let samples = header.colorType.storedSamples
      for x in 0..<width {
        for c in 0..<samples { store(c, x, Float(row[x * samples + c])) }
      }
    case .gray:
      let depth = header.bitDepth
      let maximum = Float((1 << depth) - 1)
      for x in 0..<width {
        let value = packed(row, x, depth)
        store(0, x, depth == 8 ? Float(value) : (Float(value) * 255 / maximum).rounded())
      }
    case .palette:
      let entries = palette.count / 3
      for x in 0..<width {
        let index = packed(row, x, header.bitDepth)
        guard index < entries else {
          throw EngineError.invalidData(
            label,
            "corrupt PNG image: palette index \(index) on row \(y) but the palette has \(entries) colours")
        }
        for c in 0..<3 { store(c, x, Float(palette[index * 3 + c])) }
      }
    }
  }

  /// Sample `x` of a row whose samples are `depth` bits each, most significant bits first.
  private static func packed(_ row: [UInt8], _ x: Int, _ depth: Int) -> Int {
    if depth == 8 { return Int(row[x]) }
    let bit = x * depth
    let shift = 8 - depth - bit % 8
    return Int(row[bit / 8] >> UInt8(shift)) & ((1 << depth) - 1)
  }
}
