import Foundation

/// Reading samples and labels by arbitrary sample indices (as a shuffled or split ``Dataset`` needs).
extension DatasetSource {
  /// Appends the samples at `indices` to `output` as float32 in their stored layout.
  ///
  /// Consecutive indices are read together. Returns how many values are NaN or infinite.
  func appendSamples(_ indices: [Int], to output: inout [Float]) throws(EngineError) -> Int {
    let per = Tensor.elementCount(sampleShape)
    var nonFinite = 0
    switch samplesSource {
    case .array(let x):
      for run in Self.runs(indices) {
        let bytes = try x.bytes(elements: run.lowerBound * per..<run.upperBound * per)
        nonFinite += DatasetFloatConversion.append(bytes, dtype: x.header.dtype, to: &output)
      }
    case .files(let files):
      for index in indices {
        let file = files[index]
        nonFinite += DatasetFloatConversion.append(
          try file.bytes(elements: 0..<per), dtype: file.header.dtype, to: &output)
      }
    case .images(let paths):
      for index in indices {
        let path = paths[index]
        let before = output.count
        let header = try PNGDecoder.decode(
          try DatasetFileReader.contents(path: path), label: path, appendingTo: &output)
        guard header.shape == sampleShape else {
          output.removeSubrange(before...)
          throw EngineError.invalidData(
            path, "image is \(header.shape) but the dataset's images are \(sampleShape)")
        }
      }
    }
    return nonFinite
  }

  /// The labels at `indices`, shaped `[indices.count] + labelShape`: int64 for class indices (integer or
  /// bool labels), float32 for floating-point labels.
  ///
  /// Throws `invalidData` when the dataset has no labels.
  public func labels(at indices: [Int]) throws(EngineError) -> Tensor {
    guard let labelsSource, let labelShape else {
      throw EngineError.invalidData(path, "the dataset has no labels")
    }
    switch labelsSource {
    case .values(let values):
      return Tensor(shape: [indices.count], int64s: indices.map { values[$0] })
    case .array(let y):
      let per = Tensor.elementCount(labelShape)
      var bytes = Data()
      for run in Self.runs(indices) {
        bytes.append(try y.bytes(elements: run.lowerBound * per..<run.upperBound * per))
      }
      let tensor: Tensor
      do {
        tensor = try Tensor(
          shape: [indices.count] + labelShape, dtype: y.header.dtype, littleEndianBytes: bytes)
      } catch {
        throw error.inFile(y.label)
      }
      return tensor.converted(to: tensor.dtype.isFloatingPoint ? .float32 : .int64)
    }
  }

  /// Splits indices into maximal runs of consecutive values, in order.
  static func runs(_ indices: [Int]) -> [Range<Int>] {
    var result: [Range<Int>] = []
    var start = 0
    while start < indices.count {
      var end = start + 1
      while end < indices.count && indices[end] == indices[end - 1] + 1 { end += 1 }
      result.append(indices[start]..<indices[end - 1] + 1)
      start = end
    }
    return result
  }
}
