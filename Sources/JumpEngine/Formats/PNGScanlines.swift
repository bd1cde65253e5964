/// Reverses PNG scanline filtering and spreads the pixels into channels-first float32 planes.
enum PNGScanlines {
  /// Unfilters `raw` in place (each row a filter-type byte followed by `rowBytes` bytes) and appends the
  /// image's `channels × height × width` samples to `output`.
  ///
  /// Gray at 1, 2 or 4 bits is stretched to 0...255; palette indices are looked up (an index past the
  /// palette is an error); other samples are taken as they are.
  static func decode(
    _ raw: inout [UInt8], header: PNGHeader, palette: [UInt8], label: String,
    appendingTo output: inout [Float]
  ) throws(EngineError) {
    let rowBytes = header.rowBytes
    let plane = header.width * header.height
    let base = output.count
    output.append(contentsOf: repeatElement(0, count: plane * header.channels))
    let zeros = [UInt8](repeating: 0, count: rowBytes)
    var failure: EngineError?
    raw.withUnsafeMutableBufferPointer { rawBuffer in
      output.withUnsafeMutableBufferPointer { outBuffer in
        zeros.withUnsafeBufferPointer { zeroBuffer in
          guard let rawBase = rawBuffer.baseAddress, let outBase = outBuffer.baseAddress,
            let zeroBase = zeroBuffer.baseAddress
          else { return }
          for y in 0..<header.height {
            let row = rawBase + y * (rowBytes + 1) + 1
            let previous = y == 0 ? zeroBase : UnsafePointer(row - (rowBytes + 1))
            let type = row[-1]
            guard unfilter(row, previous: previous, count: rowBytes, type: type, stride: header.filterStride)
            else {
              failure = EngineError.invalidData(
                label, "corrupt PNG image: unknown filter type \(type) on row \(y)")
              return
            }
            if let problem = spread(row, row: y, header: header, palette: palette, into: outBase + base) {
              failure = EngineError.invalidData(label, problem)
              return
            }
          }
        }
      }
    }
    if let failure { throw failure }
  }

  /// Undoes one row's filter in place, given the unfiltered row above (zeros for the first row); false for
  /// an unknown filter type.
  static func unfilter(
    _ row: UnsafeMutablePointer<UInt8>, previous: UnsafePointer<UInt8>, count: Int, type: UInt8, stride: Int
  ) -> Bool {
    switch type {
    case 0:
      break
    case 1:
      var i = stride
      while i < count {
        row[i] = row[i] &+ row[i - stride]
        i += 1
      }
    case 2:
      for i in 0..<count { row[i] = row[i] &+ previous[i] }
    case 3:
      for i in 0..<count {
        let left = i >= stride ? Int(row[i - stride]) : 0
        row[i] = row[i] &+ UInt8((left + Int(previous[i])) >> 1)
      }
    case 4:
      for i in 0..<count {
        let left = i >= stride ? Int(row[i - stride]) : 0
        let upLeft = i >= stride ? Int(previous[i - stride]) : 0
        row[i] = row[i] &+ paeth(left, Int(previous[i]), upLeft)
      }
    default:
      return false
    }
    return true
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

  /// Writes the samples of unfiltered row `y` into the channel planes at `out`; a message for a bad
  /// palette index.
  private static func spread(
    _ row: UnsafeMutablePointer<UInt8>, row y: Int, header: PNGHeader, palette: [UInt8],
    into out: UnsafeMutablePointer<Float>
  ) -> String? {
    let width = header.width
    let plane = width * header.height
    let line = out + y * width
    switch header.colorType {
    case .rgb, .rgba, .grayAlpha:
      let samples = header.colorType.storedSamples
      for c in 0..<samples {
        let target = line + c * plane
        for x in 0..<width { target[x] = Float(row[x * samples + c]) }
      }
    case .gray:
      let depth = header.bitDepth
      let maximum = Float((1 << depth) - 1)
      for x in 0..<width {
        let value = packed(row, x, depth)
        line[x] = depth == 8 ? Float(value) : (Float(value) * 255 / maximum).rounded()
      }
    case .palette:
      let entries = palette.count / 3
      for x in 0..<width {
        let index = packed(row, x, header.bitDepth)
        guard index < entries else {
          return
            "corrupt PNG image: palette index \(index) on row \(y) but the palette has \(entries) colours"
        }
        for c in 0..<3 { line[c * plane + x] = Float(palette[index * 3 + c]) }
      }
    }
    return nil
  }

  /// Sample `x` of a row whose samples are `depth` bits each, most significant bits first.
  private static func packed(_ row: UnsafeMutablePointer<UInt8>, _ x: Int, _ depth: Int) -> Int {
    if depth == 8 { return Int(row[x]) }
    let bit = x * depth
    let shift = 8 - depth - bit % 8
    return Int(row[bit / 8] >> UInt8(shift)) & ((1 << depth) - 1)
  }
}
