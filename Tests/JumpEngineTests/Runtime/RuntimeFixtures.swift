import Foundation
import JumpEngine
import ZIPFoundation

/// Paths and loaders for the float-runtime reference fixtures.
enum RuntimeFixtures {
  /// The repository root (three levels above this file).
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  /// `Tests/Fixtures/runtime`.
  static let runtime = root.appendingPathComponent("Tests/Fixtures/runtime")
  /// `Tests/Fixtures/models`.
  static let models = root.appendingPathComponent("Tests/Fixtures/models")

  /// The names of the per-op cases (`NAME.onnx` with `NAME.ref.npz`), sorted.
  static func opCases() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: runtime.path)) ?? []
    return names.filter { $0.hasSuffix(".onnx") }.map { String($0.dropLast(5)) }.sorted()
  }

  /// Reads every array of a `.npz` archive by name (through a temporary `.npy` per member).
  static func npz(_ url: URL) throws -> [String: Tensor] {
    let archive = try Archive(url: url, accessMode: .read)
    var result: [String: Tensor] = [:]
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npz-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for entry in archive where entry.path.hasSuffix(".npy") {
      let file = directory.appendingPathComponent(entry.path)
      _ = try archive.extract(entry, to: file)
      result[String(entry.path.dropLast(4))] = try NpyReader.read(contentsOf: file)
    }
    return result
  }

  /// `max|actual - expected| / max(max|expected|, 1e-6)`: the error relative to the reference's range, so
  /// outputs near zero are judged against the tensor's scale rather than their own.
  static func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    guard actual.count == expected.count else { return .infinity }
    var difference: Float = 0
    var scale: Float = 0
    for (a, b) in zip(actual, expected) {
      difference = max(difference, abs(a - b))
      scale = max(scale, abs(b))
    }
    if difference.isNaN { return .infinity }
    return difference / max(scale, 1e-6)
  }
}
