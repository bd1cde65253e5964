import Foundation
import Testing

/// Package.swift names, for every target, each first-party module its files import.
///
/// SwiftPM's incremental build decides what to recompile from declared dependencies. A module
/// imported only transitively can change a struct's layout without the importing files being
/// rebuilt; code they inlined from it (a default-argument generator building a `SessionState`) then
/// writes the larger value into stack storage sized for the old one. That stack smash crashed
/// parallel test runs with "Bad pointer dereference at 0x0" until `JumpREPLTests` declared
/// `JumpScript`.
@Suite struct ManifestDependencyTests {
  /// The modules this package builds, which a target may import.
  static let packageModules = [
    "CLibEdit", "CBLAS", "CLineEdit", "ONNXProto", "JumpEngine", "JumpScript", "JumpREPL",
  ]

  /// Targets and the directories holding their files.
  static let targets = [
    ("JumpEngine", "Sources/JumpEngine"), ("JumpScript", "Sources/JumpScript"),
    ("JumpREPL", "Sources/JumpREPL"), ("jumpstation", "Sources/jumpstation"),
    ("JumpEngineTests", "Tests/JumpEngineTests"), ("JumpScriptTests", "Tests/JumpScriptTests"),
    ("JumpREPLTests", "Tests/JumpREPLTests"), ("CLITests", "Tests/CLITests"),
  ]

  /// The repository root (this file is in `Tests/CLITests`).
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// The text of a target's declaration in the manifest's `targets` list: from its `name:` to the
  /// next target.
  static func declaration(of target: String, in manifest: String) -> Substring? {
    guard let targets = manifest.range(of: "\n  targets: ["),
      let start = manifest[targets.upperBound...].range(of: "name: \"\(target)\"")
    else { return nil }
    let rest = manifest[start.upperBound...]
    let next = ["\n    .target(", "\n    .testTarget(", "\n    .executableTarget(", "\n    .systemLibrary("]
      .compactMap { rest.range(of: $0)?.lowerBound }.min()
    return rest[..<(next ?? rest.endIndex)]
  }

  /// The package modules imported by the Swift files under `directory`.
  static func imports(under directory: URL) -> Set<String> {
    var found: Set<String> = []
    let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
    while let file = files?.nextObject() as? URL {
      guard file.pathExtension == "swift", let text = try? String(contentsOf: file, encoding: .utf8)
      else { continue }
      for line in text.split(separator: "\n") {
        let words = line.split(separator: " ")
        guard let index = words.firstIndex(of: "import"), index + 1 < words.count,
          words[..<index].allSatisfy({ $0.hasPrefix("@") })
        else { continue }
        let module = String(words[index + 1])
        if packageModules.contains(module) { found.insert(module) }
      }
    }
    return found
  }

  @Test func everyImportedPackageModuleIsADeclaredDependency() throws {
    let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
    for (target, directory) in Self.targets {
      let declared = try #require(
        Self.declaration(of: target, in: manifest), "\(target) not in Package.swift")
      for module in Self.imports(under: Self.root.appendingPathComponent(directory)).sorted()
      where module != target {
        #expect(
          declared.contains("\"\(module)\""),
          "\(target) imports \(module) but Package.swift does not list it among its dependencies")
      }
    }
  }
}
