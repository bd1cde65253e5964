import Foundation

/// Finds the file a `use` statement names: `use targets` is `stdlib/targets.jss`;
/// `use "lib/mine.jss"` is a path relative to the using file.
public enum ModuleResolver {
  /// Why a module could not be found.
  struct Failure: Error {
    var message: String
    var hint: String?
  }

  static func url(for module: String, relativeTo file: SourceFile, stdlib: URL?) throws(Failure) -> URL {
    let fileManager = FileManager.default
    if module.hasSuffix(".jss") || module.contains("/") {
      let base = URL(fileURLWithPath: file.name).deletingLastPathComponent()
      let candidates = [
        URL(fileURLWithPath: module, relativeTo: base).standardizedFileURL,
        URL(fileURLWithPath: module).standardizedFileURL,
      ]
      if let found = candidates.first(where: { fileManager.fileExists(atPath: $0.path) }) { return found }
      throw Failure(message: "no such module file '\(module)'")
    }
    guard let stdlib else {
      throw Failure(
        message: "cannot find the stdlib directory for 'use \(module)'",
        hint: "set JUMPSTATION_STDLIB to the repository's stdlib/ directory")
    }
    let url = stdlib.appendingPathComponent(module + ".jss")
    guard fileManager.fileExists(atPath: url.path) else {
      let available = ((try? fileManager.contentsOfDirectory(atPath: stdlib.path)) ?? [])
        .filter { $0.hasSuffix(".jss") }.map { String($0.dropLast(4)) }.sorted()
      throw Failure(
        message: "unknown module '\(module)'",
        hint: Suggestion.closest(to: module, in: available).map { "did you mean '\($0)'?" }
          ?? "modules are \(available.joined(separator: ", "))")
    }
    return url
  }

  /// Names of the stdlib modules, for completion.
  public static func available(in stdlib: URL?) -> [String] {
    guard let stdlib else { return [] }
    return ((try? FileManager.default.contentsOfDirectory(atPath: stdlib.path)) ?? [])
      .filter { $0.hasSuffix(".jss") }.map { String($0.dropLast(4)) }.sorted()
  }
}
