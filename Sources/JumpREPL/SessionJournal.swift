import Foundation
import JumpEngine
import JumpScript

/// The running record of a REPL session as a transcript: each cell's source followed by its
/// recorded results (`#=`) or error (`#!`). It is appended to a file after every cell, so a
/// crash loses nothing, and `.save FILE` writes it out as a script `replay` can check.
public final class SessionJournal {
  /// The journal file, if one could be created.
  public let url: URL?
  /// The transcript text so far.
  public private(set) var text = ""
  private var handle: FileHandle?

  /// Opens a new journal under `directory` (created if needed); without a directory the
  /// journal is kept in memory only.
  public init(directory: URL?) {
    guard let directory else {
      url = nil
      return
    }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyyMMdd-HHmmss"
    let name = "session-\(formatter.string(from: Date()))-\(ProcessInfo.processInfo.processIdentifier).jss"
    let file = directory.appendingPathComponent(name)
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      _ = FileManager.default.createFile(atPath: file.path, contents: nil)
      handle = try FileHandle(forWritingTo: file)
      url = file
    } catch {
      url = nil
    }
  }

  /// The default journal directory: `$XDG_STATE_HOME/jumpstation/journal`.
  public static func defaultDirectory(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> URL {
    let state =
      environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
    return URL(fileURLWithPath: state).appendingPathComponent("jumpstation/journal")
  }

  /// Records a cell with what it printed or the error it raised, and flushes it to disk.
  public func record(cell: String, output: [String], error: String?) {
    var entry = cell.hasSuffix("\n") ? cell : cell + "\n"
    for line in Transcript.recordingLines(output: output, error: error) { entry += line + "\n" }
    text += entry
    if let handle {
      handle.write(Data(entry.utf8))
      try? handle.synchronize()
    }
  }

  /// Writes the transcript to `path` atomically.
  public func save(to path: String) throws(EngineError) {
    let url = URL(fileURLWithPath: path)
    let header = "# JumpStation session saved \(ISO8601DateFormatter().string(from: Date()))\n"
    try AtomicFile.write(Data((header + text).utf8), to: url)
  }
}
