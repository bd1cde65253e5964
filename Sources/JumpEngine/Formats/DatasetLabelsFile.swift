import Foundation

/// A `labels.txt` or `labels.csv` beside the sample files of a flat directory: one `filename,label` line
/// per sample (a comma, a tab or spaces separate the two).
///
/// Empty lines and `#` comments are skipped, as is a first line `filename,label`. Labels are class
/// indices (whole numbers from 0) or class names; names are numbered in sorted order.
struct DatasetLabelsFile: Sendable {
  /// The file's path.
  let path: String
  /// Label index by file name.
  let labels: [String: Int64]
  /// The class names when labels were written as names, sorted; nil for numeric labels.
  let classes: [String]?

  /// The names that may hold labels, in the order they are looked for.
  static let names = ["labels.csv", "labels.txt"]

  /// Reads and parses the labels file at `path`.
  static func read(path: String) throws(EngineError) -> DatasetLabelsFile {
    let text = String(decoding: try DatasetFileReader.contents(path: path), as: UTF8.self)
    var pairs: [(name: String, label: String, line: Int)] = []
    var seen: [String: Int] = [:]
    var isFirst = true
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") { continue }
      guard let (name, label) = split(line) else {
        throw EngineError.invalidData(path, "line \(index + 1): expected 'filename,label', got '\(line)'")
      }
      defer { isFirst = false }
      if isFirst && ["filename", "file", "name"].contains(name.lowercased()) && Int64(label) == nil {
        continue
      }
      if let first = seen[name] {
        throw EngineError.invalidData(
          path, "line \(index + 1): '\(name)' already has a label on line \(first + 1)")
      }
      seen[name] = index
      pairs.append((name, label, index + 1))
    }
    if pairs.allSatisfy({ Int64($0.label) != nil }) {
      var labels: [String: Int64] = [:]
      for pair in pairs {
        guard let value = Int64(pair.label), value >= 0 else {
          throw EngineError.invalidData(path, "line \(pair.line): label \(pair.label) is negative")
        }
        labels[pair.name] = value
      }
      return DatasetLabelsFile(path: path, labels: labels, classes: nil)
    }
    let classes = Set(pairs.map(\.label)).sorted()
    let indices = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Int64($0)) })
    var labels: [String: Int64] = [:]
    for pair in pairs { labels[pair.name] = indices[pair.label] ?? 0 }
    return DatasetLabelsFile(path: path, labels: labels, classes: classes)
  }

  /// The labels of `files` (file names, in sample order), checking that each has exactly one.
  func labels(for files: [String]) throws(EngineError) -> [Int64] {
    let known = Set(files)
    if let stray = labels.keys.sorted().first(where: { !known.contains($0) }) {
      throw EngineError.invalidData(
        path, "has a label for '\(stray)' but the directory has no such sample file")
    }
    var result: [Int64] = []
    result.reserveCapacity(files.count)
    for name in files {
      guard let label = labels[name] else {
        throw EngineError.invalidData(
          path, "has \(labels.count) labels but there are \(files.count) samples (no label for '\(name)')")
      }
      result.append(label)
    }
    return result
  }

  private static func split(_ line: String) -> (String, String)? {
    let separators: [Character] = [",", "\t", " "]
    for separator in separators {
      guard let cut = line.firstIndex(of: separator) else { continue }
      let name = line[..<cut].trimmingCharacters(in: .whitespaces)
      let label = line[line.index(after: cut)...].trimmingCharacters(in: .whitespaces)
      guard !name.isEmpty, !label.isEmpty else { return nil }
      return (name, label)
    }
    return nil
  }
}
