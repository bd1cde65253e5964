import Foundation

/// What a dataset directory holds: which sample files, in what order, with which labels.
///
/// - Class subfolders: `root/<class>/*.png`, classes sorted by name give the label indices; samples are
///   ordered by class, then by file name.
/// - A flat directory of `.png` or of `.npy` files (one sample each, in name order), labelled by an
///   optional `labels.csv` or `labels.txt` (see ``DatasetLabelsFile``).
struct DatasetDirectoryLayout: Sendable {
  /// The kind of sample files.
  enum Kind: Sendable {
    /// One `.npy` array per sample.
    case arrays
    /// One PNG image per sample.
    case images
  }

  /// The kind of sample files.
  var kind: Kind
  /// The sample files, in sample order.
  var files: [URL]
  /// One label per file, if the directory is labelled.
  var labels: [Int64]?
  /// Class names (index = label) when the labels come from names.
  var classes: [String]?
  /// Whether the labels come from class subfolders.
  var hasClassFolders: Bool

  /// Looks at the directory `url` and decides its layout.
  ///
  /// Throws `invalidData` naming the directory when it holds no samples, mixes kinds, or has an empty
  /// class folder; errors in a labels file name that file.
  static func scan(_ url: URL) throws(EngineError) -> DatasetDirectoryLayout {
    let entries = try visibleEntries(of: url)
    let pngs = entries.filter { !$0.isDirectory && $0.name.lowercased().hasSuffix(".png") }.map(\.name)
    let npys = entries.filter { !$0.isDirectory && $0.name.lowercased().hasSuffix(".npy") }.map(\.name)
    let folders = entries.filter(\.isDirectory).map(\.name)
    if !pngs.isEmpty && !npys.isEmpty {
      throw EngineError.invalidData(url.path, "the directory mixes .png and .npy samples; keep one kind")
    }
    if pngs.isEmpty && npys.isEmpty && !folders.isEmpty {
      return try classFolders(url, folders)
    }
    guard !pngs.isEmpty || !npys.isEmpty else {
      throw EngineError.invalidData(
        url.path, "empty dataset: the directory has no .npy or .png files and no class folders")
    }
    let names = pngs.isEmpty ? npys : pngs
    let labelFiles = DatasetLabelsFile.names.filter { name in entries.contains { $0.name == name } }
    guard labelFiles.count <= 1 else {
      throw EngineError.invalidData(url.path, "has both labels.csv and labels.txt; keep one")
    }
    var labels: [Int64]?
    var classes: [String]?
    if let labelFile = labelFiles.first {
      let file = try DatasetLabelsFile.read(path: url.appendingPathComponent(labelFile).path)
      labels = try file.labels(for: names)
      classes = file.classes
    }
    return DatasetDirectoryLayout(
      kind: pngs.isEmpty ? .arrays : .images, files: names.map { url.appendingPathComponent($0) },
      labels: labels, classes: classes, hasClassFolders: false)
  }

  private static func classFolders(
    _ url: URL, _ folders: [String]
  ) throws(EngineError) -> DatasetDirectoryLayout {
    var files: [URL] = []
    var labels: [Int64] = []
    for (index, folder) in folders.enumerated() {
      let folderURL = url.appendingPathComponent(folder)
      let images = try visibleEntries(of: folderURL)
        .filter { !$0.isDirectory && $0.name.lowercased().hasSuffix(".png") }
      guard !images.isEmpty else {
        throw EngineError.invalidData(
          folderURL.path, "empty class folder: no .png images (every subfolder of a dataset is a class)")
      }
      files.append(contentsOf: images.map { folderURL.appendingPathComponent($0.name) })
      labels.append(contentsOf: repeatElement(Int64(index), count: images.count))
    }
    return DatasetDirectoryLayout(
      kind: .images, files: files, labels: labels, classes: folders, hasClassFolders: true)
  }

  /// Non-hidden entries of a directory, sorted by name.
  private static func visibleEntries(of url: URL) throws(EngineError) -> [(name: String, isDirectory: Bool)] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: url.path)
    } catch {
      throw EngineError.io(url.path, "cannot list the directory")
    }
    return names.filter { !$0.hasPrefix(".") }.sorted().map { name in
      var isDirectory: ObjCBool = false
      _ = FileManager.default.fileExists(
        atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory)
      return (name, isDirectory.boolValue)
    }
  }
}
