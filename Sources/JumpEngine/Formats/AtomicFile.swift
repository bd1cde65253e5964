import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files so that readers see either the old contents or the complete new contents, never a part.
public enum AtomicFile {
  /// Writes `data` to a temporary file in the destination's directory, then renames it over `url`.
  ///
  /// Throws `io` naming the destination when the directory does not exist or a step fails; the temporary
  /// file is removed on failure.
  public static func write(_ data: Data, to url: URL) throws(EngineError) {
    let path = url.path
    let directory = url.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw EngineError.io(path, "directory '\(directory.path)' does not exist")
    }
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
    do {
      try data.write(to: temporary)
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw EngineError.io(path, "cannot write (\(error.localizedDescription))")
    }
    guard rename(temporary.path, path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw EngineError.io(path, "cannot move the written file into place (\(reason))")
    }
  }
}
