import Foundation

/// A dataset of samples on disk, read in batches without loading everything.
///
/// Layouts accepted:
/// - a `.npy` file: samples along the first axis, no labels;
/// - a `.npz` archive with array `x` (samples along the first axis) and optional `y` (labels, one per sample);
/// - a directory of `.npy` files or of PNG images, one sample per file, in name order, all of the same
///   shape, labelled by an optional `labels.csv`/`labels.txt`; or PNG images in class subfolders
///   (see ``DatasetDirectoryLayout``).
///
/// Samples of every stored dtype are read as float32 (PNG images as channels-first values in 0...255);
/// ``Dataset`` adds scaling, normalization, layout, ordering and batching on top.
public struct DatasetSource: Sendable {
  /// The on-disk layout of a dataset.
  public enum Format: String, Sendable {
    /// A single `.npy` file.
    case npy
    /// An `.npz` archive with `x` and optional `y`.
    case npz
    /// A directory of one-sample `.npy` files.
    case directory
    /// A directory of PNG images (flat, or in class subfolders).
    case images
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
  /// Class names by label index, when the directory names them (class subfolders, named labels).
  public let classes: [String]?

  let samplesSource: Samples
  let labelsSource: Labels?

  /// Where the samples are read from.
  enum Samples: Sendable {
    case array(NpyArraySource)
    case files([NpyArraySource])
    case images([String])
  }

  /// Where the labels are read from.
  enum Labels: Sendable {
    case array(NpyArraySource)
    case values([Int64])
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
      let directory = try DatasetZipDirectory.read(path: path)
      guard let x = try NpyArraySource.open(member: "x.npy", of: url, directory: directory) else {
        throw EngineError.invalidData(path, "the archive has no array 'x'")
      }
      let y = try NpyArraySource.open(member: "y.npy", of: url, directory: directory)
      return try DatasetSource(path: path, format: .npz, x: x, y: y)
    case "npy":
      return try DatasetSource(path: path, format: .npy, x: try NpyArraySource.open(file: url), y: nil)
    default:
      throw EngineError.invalidData(
        path, "unknown dataset format (expected .npy, .npz or a directory of .npy or .png files)")
    }
  }

  private init(path: String, format: Format, x: NpyArraySource, y: NpyArraySource?) throws(EngineError) {
    guard let count = x.header.shape.first else {
      throw EngineError.invalidData(x.label, "samples must have a leading sample axis, got a scalar")
    }
    guard count > 0 else { throw EngineError.invalidData(x.label, "empty dataset: 0 samples") }
    self.path = path
    self.format = format
    sampleCount = count
    sampleShape = Array(x.header.shape.dropFirst())
    dtype = x.header.dtype
    samplesSource = .array(x)
    labelsSource = y.map(Labels.array)
    classes = nil
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

  private init(
    path: String, format: Format, samples: Samples, shape: [Int], dtype: DType, count: Int,
    layout: DatasetDirectoryLayout
  ) {
    self.path = path
    self.format = format
    sampleCount = count
    sampleShape = shape
    self.dtype = dtype
    samplesSource = samples
    labelsSource = layout.labels.map(Labels.values)
    labelCount = layout.labels?.count
    labelShape = layout.labels == nil ? nil : []
    classes = layout.classes
  }

  private static func openDirectory(_ url: URL) throws(EngineError) -> DatasetSource {
    let layout = try DatasetDirectoryLayout.scan(url)
    switch layout.kind {
    case .arrays:
      var sources: [NpyArraySource] = []
      for file in layout.files {
        let source = try NpyArraySource.open(file: file)
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
      let first = sources.first?.header
      return DatasetSource(
        path: url.path, format: .directory, samples: .files(sources), shape: first?.shape ?? [],
        dtype: first?.dtype ?? .float32, count: sources.count, layout: layout)
    case .images:
      var first: (path: String, header: PNGHeader)?
      for file in layout.files {
        let prefix = try DatasetFileReader.readUpTo(path: file.path, offset: 0, count: PNGHeader.prefixLength)
        let header = try PNGHeader.parse(prefix, label: file.path)
        if let first, first.header.shape != header.shape {
          throw EngineError.invalidData(
            file.path,
            "images differ in size: this one is \(describe(header)) but \(first.path) is \(describe(first.header))"
          )
        }
        if first == nil { first = (file.path, header) }
      }
      return DatasetSource(
        path: url.path, format: .images, samples: .images(layout.files.map(\.path)),
        shape: first?.header.shape ?? [], dtype: .uint8, count: layout.files.count, layout: layout)
    }
  }

  private static func describe(_ header: PNGHeader) -> String {
    let kind = ["gray", "gray+alpha", "RGB", "RGBA"][header.channels - 1]
    return "\(header.width)×\(header.height) \(kind)"
  }

  /// Samples `range` as a float32 tensor of shape `[range.count] + sampleShape`.
  public func samples(_ range: Range<Int>) throws(EngineError) -> Tensor {
    try checkRange(range, sampleCount)
    var values: [Float] = []
    values.reserveCapacity(range.count * Tensor.elementCount(sampleShape))
    _ = try appendSamples(Array(range), to: &values)
    return Tensor(shape: [range.count] + sampleShape, floats: values)
  }

  /// Labels `range` of shape `[range.count] + labelShape`: int64 for integer or bool labels, float32 otherwise.
  ///
  /// Throws `invalidData` when the dataset has no labels.
  public func labels(_ range: Range<Int>) throws(EngineError) -> Tensor {
    try checkRange(range, sampleCount)
    return try labels(at: Array(range))
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
