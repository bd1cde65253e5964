import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why the history file could not be read or written.
public enum HistoryFileError: Error, Equatable {
  /// Creating the parent directory failed.
  case cannotCreateDirectory(path: String, errno: Int32)
  /// Opening or writing the file failed.
  case cannotWrite(path: String, errno: Int32)
  /// Replacing the file during compaction failed.
  case cannotReplace(path: String, errno: Int32)
}

/// The REPL's persistent history file, in libedit's format (see ``HistoryEncoding``).
///
/// Each accepted line is appended with a single `write` on an `O_APPEND` descriptor as soon as
/// it is entered, so a crash or a kill loses nothing and two concurrent sessions interleave
/// their lines instead of overwriting each other (psql does the same). The file is created,
/// with its parent directory, on first use. When it grows well past the in-memory limit it is
/// rewritten to its newest entries through a temporary file and `rename`, never in place.
public struct HistoryFile: Sendable, Equatable {
  /// Absolute path of the file.
  public var path: String

  /// Uses the file at `path`.
  public init(path: String) {
    self.path = path
  }

  /// The default location: `$XDG_STATE_HOME/jumpstation/history`, or
  /// `~/.local/state/jumpstation/history` when `XDG_STATE_HOME` is unset, empty or relative
  /// (the XDG base directory specification says to ignore relative paths).
  public static func defaultPath(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    application: String = "jumpstation"
  ) -> String {
    var base: String
    if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
      base = state
    } else {
      let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
      base = home + "/.local/state"
    }
    while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
    return base + "/" + application + "/history"
  }

  /// Creates the parent directory and the file with its header, if they do not exist yet.
  public func prepare() throws(HistoryFileError) {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
      do {
        try FileManager.default.createDirectory(
          atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      } catch {
        throw .cannotCreateDirectory(path: directory, errno: errno)
      }
    }
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if fd >= 0 {
      defer { close(fd) }
      try writeAll(HistoryEncoding.header + "\n", to: fd)
    } else if errno != EEXIST {
      throw .cannotWrite(path: path, errno: errno)
    }
  }

  /// Appends one entry, creating the file first if needed.
  public func append(_ entry: String) throws(HistoryFileError) {
    try prepare()
    let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
    guard fd >= 0 else { throw .cannotWrite(path: path, errno: errno) }
    defer { close(fd) }
    try writeAll(HistoryEncoding.encode(entry) + "\n", to: fd)
  }

  /// The entries in the file, oldest first (empty if it does not exist).
  public func entries() -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    return HistoryEncoding.decodeFile(String(decoding: data, as: UTF8.self))
  }

  /// Number of lines in the file, header included (0 if missing); cheap enough at startup.
  public func lineCount() -> Int {
    guard let data = FileManager.default.contents(atPath: path) else { return 0 }
    return data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
  }

  /// Atomically replaces the file with `entries` (oldest first): temporary file, then rename.
  public func replace(with entries: [String]) throws(HistoryFileError) {
    try prepare()
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .cannotWrite(path: temporary, errno: errno) }
    var text = HistoryEncoding.header + "\n"
    for entry in entries { text += HistoryEncoding.encode(entry) + "\n" }
    do {
      try writeAll(text, to: fd)
    } catch {
      close(fd)
      unlink(temporary)
      throw error
    }
    fsync(fd)
    close(fd)
    guard rename(temporary, path) == 0 else {
      let code = errno
      unlink(temporary)
      throw .cannotReplace(path: path, errno: code)
    }
  }

  /// Writes all of `text`, retrying on `EINTR` and short writes.
  private func writeAll(_ text: String, to fd: Int32) throws(HistoryFileError) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if written < 0 {
        if errno == EINTR { continue }
        throw .cannotWrite(path: path, errno: errno)
      }
      offset += written
    }
  }
}
