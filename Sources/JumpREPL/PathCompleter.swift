import Foundation

/// Completes file and directory paths for arguments such as `load "…"` and `export "…"`.
///
/// Candidates are whole replacements for the typed word (see ``CompletionWord``). They keep
/// the user's spelling of the directory (`~/`, relative or absolute), list directories always
/// (ending in `/` so completion can descend), and files only with an allowed extension. A word
/// that opens a string (`"tut`) gets quoted candidates, and files get the closing quote, since
/// the path is then complete. A name with a space or a quote forces quoting. Hidden entries
/// appear only when the name typed so far starts with `.`, as in shells.
public enum PathCompleter {
  /// The candidates for `prefix`.
  /// - Parameters:
  ///   - prefix: the word typed so far, possibly starting with `"`.
  ///   - allowedExtensions: file extensions to offer (`["onnx"]`, case-insensitive, with or
  ///     without the dot); nil offers every file.
  ///   - currentDirectory: where relative paths start; the process's directory by default.
  ///   - homeDirectory: what `~` means; the user's home by default.
  /// - Returns: sorted candidates; directories end in `/`.
  public static func candidates(
    prefix: String, allowedExtensions: Set<String>? = nil, currentDirectory: String? = nil,
    homeDirectory: String? = nil
  ) -> [String] {
    let quoted = prefix.hasPrefix("\"")
    var body = quoted ? String(prefix.dropFirst()) : prefix
    if body == "~" { body = "~/" }
    let typedDirectory: String
    let namePrefix: String
    if let slash = body.lastIndex(of: "/") {
      typedDirectory = String(body[...slash])
      namePrefix = String(body[body.index(after: slash)...])
    } else {
      typedDirectory = ""
      namePrefix = body
    }
    let directory = resolve(
      typedDirectory, currentDirectory: currentDirectory ?? FileManager.default.currentDirectoryPath,
      homeDirectory: homeDirectory ?? NSHomeDirectory())
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    let extensions = allowedExtensions.map { Set($0.map { normalizedExtension($0) }) }
    var results: [String] = []
    for name in names.sorted() where name.hasPrefix(namePrefix) {
      if name.hasPrefix(".") && !namePrefix.hasPrefix(".") { continue }
      let full = (directory as NSString).appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
      let needsQuote = quoted || name.contains(" ") || name.contains("\"") || typedDirectory.contains(" ")
      let opening = needsQuote ? "\"" : ""
      if isDirectory.boolValue {
        results.append(opening + typedDirectory + name + "/")
      } else {
        if let extensions, !extensions.contains(normalizedExtension((name as NSString).pathExtension)) {
          continue
        }
        results.append(opening + typedDirectory + name + (needsQuote ? "\"" : ""))
      }
    }
    return results
  }

  /// The directory on disk that `typed` (empty, relative, absolute or `~/…`) names.
  private static func resolve(_ typed: String, currentDirectory: String, homeDirectory: String) -> String {
    if typed.isEmpty { return currentDirectory }
    if typed.hasPrefix("/") { return typed }
    if typed.hasPrefix("~/") { return homeDirectory + "/" + typed.dropFirst(2) }
    return currentDirectory + "/" + typed
  }

  /// `".ONNX"` and `"onnx"` both become `"onnx"`.
  private static func normalizedExtension(_ text: String) -> String {
    (text.hasPrefix(".") ? String(text.dropFirst()) : text).lowercased()
  }
}
