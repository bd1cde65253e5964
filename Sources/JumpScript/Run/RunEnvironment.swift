import Foundation

/// The world a script runs in: where files are, where messages go, how to know it was cancelled.
///
/// The engine never prints; commands report through these closures so the REPL, scripts and
/// tests drive everything the same way.
public struct RunEnvironment: Sendable {
  /// The directory holding `targets.jss` and the other stdlib modules.
  public var stdlibDirectory: URL?
  /// Writes a progress or log line to the user (stderr).
  public var log: @Sendable (String) -> Void
  /// Redraws a one-line status in place (stderr on a terminal), or nil when stderr is a file or pipe;
  /// training shows per-batch progress there and logs only each epoch's end otherwise.
  public var status: (@Sendable (String) -> Void)?
  /// True once the user asked to cancel (Ctrl-C); long commands poll it.
  public var isCancelled: @Sendable () -> Bool
  /// Whether results should be rendered in colour.
  public var color: Bool

  /// Creates an environment.
  public init(
    stdlibDirectory: URL?, log: @escaping @Sendable (String) -> Void = { _ in },
    status: (@Sendable (String) -> Void)? = nil, isCancelled: @escaping @Sendable () -> Bool = { false },
    color: Bool = false
  ) {
    self.stdlibDirectory = stdlibDirectory
    self.log = log
    self.status = status
    self.isCancelled = isCancelled
    self.color = color
  }

  /// Finds the stdlib: `$JUMPSTATION_STDLIB`, then `stdlib/` beside or above the executable
  /// (a build inside a clone), then `stdlib/` in the current directory.
  public static func locateStdlib(executablePath: String = CommandLine.arguments.first ?? "") -> URL? {
    let fileManager = FileManager.default
    if let override = ProcessInfo.processInfo.environment["JUMPSTATION_STDLIB"] {
      return URL(fileURLWithPath: override)
    }
    var directory = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<6 {
      let candidate = directory.appendingPathComponent("stdlib")
      if fileManager.fileExists(atPath: candidate.appendingPathComponent("targets.jss").path) {
        return candidate
      }
      directory = directory.deletingLastPathComponent()
    }
    let local = URL(fileURLWithPath: fileManager.currentDirectoryPath).appendingPathComponent("stdlib")
    return fileManager.fileExists(atPath: local.path) ? local : nil
  }
}
