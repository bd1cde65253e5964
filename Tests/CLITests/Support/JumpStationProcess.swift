import Foundation
import Testing

/// Runs the built `jumpstation` executable as a subprocess.
///
/// The binary is `$JUMPSTATION_BIN` if set, else the one `swift test` built beside this test
/// bundle, else `<repo>/.build/debug/jumpstation`. Suites are disabled with a message when none
/// exists.
enum JumpStationProcess {
  /// The repository root (two levels above `Tests/CLITests/Support`).
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The executable, or nil when it was not built.
  static let binary: URL? = {
    var candidates: [URL] = []
    if let path = ProcessInfo.processInfo.environment["JUMPSTATION_BIN"], !path.isEmpty {
      candidates.append(URL(fileURLWithPath: path))
    }
    var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
    for _ in 0..<4 {
      directory = directory.deletingLastPathComponent()
      candidates.append(directory.appendingPathComponent("jumpstation"))
    }
    candidates.append(repository.appendingPathComponent(".build/debug/jumpstation"))
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// Why the suites are skipped when there is no binary.
  static let missingBinary: Comment =
    "jumpstation binary not found: run `swift build` first or set JUMPSTATION_BIN to its path"

  /// What a run printed and how it ended.
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Non-empty stdout lines.
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
  }

  /// Runs the binary with arguments, optional stdin text, in a working directory.
  static func run(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil) throws -> Result {
    let binary = try #require(binary, missingBinary)
    let scratch = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout")
    let errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)

    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = directory ?? scratch
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    environment["TERM"] = "dumb"
    environment["JUMPSTATION_STDLIB"] = repository.appendingPathComponent("stdlib").path
    process.environment = environment
    process.standardOutput = outHandle
    process.standardError = errHandle
    let input = Pipe()
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    if let stdin {
      input.fileHandleForWriting.write(Data(stdin.utf8))
      try input.fileHandleForWriting.close()
    }
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return Result(
      status: process.terminationStatus,
      stdout: try String(contentsOf: outURL, encoding: .utf8),
      stderr: try String(contentsOf: errURL, encoding: .utf8))
  }

  /// A fresh temporary directory.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "jumpstation-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Writes a script into a fresh temporary directory; returns its URL.
  static func script(_ text: String, named name: String = "script.jss") throws -> URL {
    let url = try temporaryDirectory().appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url
  }

  /// The absolute path of a repository file.
  static func path(_ relative: String) -> String { repository.appendingPathComponent(relative).path }
}
