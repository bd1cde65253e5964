import Foundation

/// A dataset of samples on disk, read in batches without loading everything.
///
/// Three layouts are accepted:
/// - a `.npy` file: samples along the first axis, no labels;
/// - a `.npz` archive with array `x` (samples along the first axis) and optional `y` (labels, one per sample);
/// - a directory of `.npy` files, one sample per file, in name order, all of the same shape and dtype
///   (no labels).
public struct DatasetSource: Sendable {
  /// The on-disk layout of a dataset.
  public enum Format: String, Sendable {
    /// A single `.npy` file.
    case npy
    /// An `.npz` archive with `x` and optional `y`.
    case npz
    /// A directory of one-sample `.npy` files.
    case directory
  }

  /// The path the dataset was opened from.
  public let path: String
  /// The layout.
  public let format: Format
  /// The number of samples.
  public let sampleCount: Int
  /// The shape of one sample.
  public let sampleShape: [Int]
  /// The stored element type of the samples.
  public let dtype: DType
  /// The number of labels (equal to `sampleCount`), or nil when the dataset has none.
  public let labelCount: Int?
  /// The shape of one label (`[]` for class indices), or nil when the dataset has none.
  public let labelShape: [Int]?

  private let samplesSource: Samples
  private let labelsSource: NpyArraySource?

  private enum Samples: Sendable {
    case array(NpyArraySource)
    case files([NpyArraySource])
  }

  /// True when the dataset has labels.
  public var hasLabels: Bool { labelCount != nil }

  /// Opens a dataset, reading only headers.
  ///
  /// Throws `missingInput` when the path does not exist and `invalidData` naming the file for a bad header,
  /// truncated data, a label count that differs from the sample count, or files of different shapes.
  public static func open(path: String) throws(EngineError) -> DatasetSource {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw EngineError.missingInput(path, what: "dataset")
    }
    let url = URL(fileURLWithPath: path)
    if isDirectory.boolValue { return try openDirectory(url) }
    switch url.pathExtension.lowercased() {
    case "npz":
      guard let x = try NpyArraySource.open(member: "x.npy", of: url) else {
        throw EngineError.invalidData(path, "the archive has no array 'x'")
      }
      let y = try NpyArraySource.open(member: "y.npy", of: url)
      return try DatasetSource(path: path, format: .npz, x: x, y: y)
    case "npy":
      return try DatasetSource(path: path, format: .npy, x: try NpyArraySource.open(file: url), y: nil)
    default:
      throw EngineError.invalidData(
        path, "unknown dataset format (expected .npy, .npz or a directory of .npy files)")
    }
  }

  private init(path: String, format: Format, x: NpyArraySource, y: NpyArraySource?) throws(EngineError) {
    guard let count = x.header.shape.first else {
      throw EngineError.invalidData(x.label, "samples must have a leading sample axis, got a scalar")
    }
    self.path = path
    self.format = format
    sampleCount = count
    sampleShape = Array(x.header.shape.dropFirst())
    dtype = x.header.dtype
    samplesSource = .array(x)
    labelsSource = y
    if let y {
      guard let labels = y.header.shape.first, labels == count else {
        throw EngineError.invalidData(
          y.label, "has \(y.header.shape.first ?? 0) labels but there are \(count) samples")
      }
      labelCount = labels
      labelShape = Array(y.header.shape.dropFirst())
    } else {
      labelCount = nil
      labelShape = nil
    }
  }

  private init(path: String, files: [NpyArraySource]) {
    self.path = path
    format = .directory
    sampleCount = files.count
    sampleShape = files.first?.header.shape ?? []
    dtype = files.first?.header.dtype ?? .float32
    samplesSource = .files(files)
    labelsSource = nil
    labelCount = nil
    labelShape = nil
  }

  private static func openDirectory(_ url: URL) throws(EngineError) -> DatasetSource {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: url.path)
    } catch {
      throw EngineError.io(url.path, "cannot list the directory")
    }
    let files = names.filter { $0.lowercased().hasSuffix(".npy") && !$0.hasPrefix(".") }.sorted()
    guard !files.isEmpty else { throw EngineError.invalidData(url.path, "the directory has no .npy files") }
    var sources: [NpyArraySource] = []
    for name in files {
      let source = try NpyArraySource.open(file: url.appendingPathComponent(name))
      if let first = sources.first,
        first.header.shape != source.header.shape || first.header.dtype != source.header.dtype
      {
        throw EngineError.invalidData(
          source.label,
          "has \(source.header.dtype) \(source.header.shape) but \(first.label) has \(first.header.dtype) \(first.header.shape)"
        )
      }
      sources.append(source)
    }
    return DatasetSource(path: url.path, files: sources)
  }

  /// Samples `range` as a float32 tensor of shape `[range.count] + sampleShape`.
  public func samples(_ range: Range<Int>) throws(EngineError) -> Tensor {
    try checkRange(range, sampleCount)
    let per = Tensor.elementCount(sampleShape)
    switch samplesSource {
    case .array(let x):
      let t = try x.tensor(
        elements: range.lowerBound * per..<range.upperBound * per, shape: [range.count] + sampleShape)
      return t.converted(to: .float32)
    case .files(let files):
      var values: [Float] = []
      values.reserveCapacity(range.count * per)
      for i in range {
        values.append(contentsOf: try files[i].tensor(elements: 0..<per, shape: sampleShape).asFloats())
      }
      return Tensor(shape: [range.count] + sampleShape, floats: values)
    }
  }

  /// Labels `range` of shape `[range.count] + labelShape`: int64 for integer or bool labels, float32 otherwise.
  ///
  /// Throws `invalidData` when the dataset has no labels.
  public func labels(_ range: Range<Int>) throws(EngineError) -> Tensor {
    guard let y = labelsSource, let labelShape else {
      throw EngineError.invalidData(path, "the dataset has no labels")
    }
    try checkRange(range, sampleCount)
    let per = Tensor.elementCount(labelShape)
    let t = try y.tensor(
      elements: range.lowerBound * per..<range.upperBound * per, shape: [range.count] + labelShape)
    return t.converted(to: t.dtype.isFloatingPoint ? .float32 : .int64)
  }

  private func checkRange(_ range: Range<Int>, _ count: Int) throws(EngineError) {
    guard range.lowerBound >= 0, range.upperBound <= count else {
      throw EngineError.invalidData(
        path, "samples \(range.lowerBound)..<\(range.upperBound) are out of range (0..<\(count))")
    }
  }
}

/// Reads whole `.npy` files.
public enum NpyReader {
  /// Reads a `.npy` file into a tensor of its stored dtype and shape.
  public static func read(contentsOf url: URL) throws(EngineError) -> Tensor {
    let source = try NpyArraySource.open(file: url)
    return try source.tensor(elements: 0..<source.header.count, shape: source.header.shape)
  }

  /// Reads only the header of a `.npy` file.
  public static func header(contentsOf url: URL) throws(EngineError) -> NpyHeader {
    try NpyArraySource.open(file: url).header
  }
}
