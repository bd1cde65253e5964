import Foundation

/// Why driving tmux failed.
struct TmuxError: Error, CustomStringConvertible {
  let description: String
}

/// Runs a command in a detached tmux pane, types into it and reads its screen.
///
/// Real-terminal tests need a pseudo-terminal with a size, line discipline (Ctrl-C becomes
/// SIGINT) and a screen to inspect; tmux provides all three without a display. Each session
/// uses its own server socket (`-L`) and an empty configuration, so tests run in parallel and
/// never touch the user's tmux. The pane stays after its process exits (`remain-on-exit`), so
/// the exit status can be read.
final class TmuxSession {
  /// The tmux executable, or nil when tmux is not installed.
  static let executable: String? = {
    let candidates = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }()

  let socket: String
  private let configuration: String
  private let target = "repl"
  private var closed = false

  /// Starts `command` (argv, not a shell line) in a `width`×`height` pane with `environment`
  /// added to tmux's own.
  init(
    command: [String], environment: [String: String] = [:], width: Int = 120, height: Int = 40
  ) throws {
    guard TmuxSession.executable != nil else { throw TmuxError(description: "tmux is not installed") }
    socket = "jumprepl-\(getpid())-\(UUID().uuidString.prefix(8))"
    configuration = NSTemporaryDirectory() + socket + ".conf"
    try "set -g remain-on-exit on\nset -g status off\n".write(
      toFile: configuration, atomically: true, encoding: .utf8)
    let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    try run(
      ["new-session", "-d", "-s", target, "-x", "\(width)", "-y", "\(height)", "--", "env"] + assignments
        + command)
  }

  deinit { close() }

  /// Sends named keys (`Enter`, `Tab`, `Up`, `C-c`, `C-d`) or literal words.
  func send(keys: String...) throws {
    try run(["send-keys", "-t", target] + keys)
  }

  /// Types `text` literally (no key-name interpretation).
  func type(_ text: String) throws {
    try run(["send-keys", "-t", target, "-l", text])
  }

  /// The visible screen, one line per row, trailing blank rows trimmed.
  func screen() throws -> String {
    let text = try run(["capture-pane", "-p", "-t", target])
    return text.split(separator: "\n", omittingEmptySubsequences: false)
      .reversed().drop { $0.trimmingCharacters(in: .whitespaces).isEmpty }.reversed()
      .joined(separator: "\n")
  }

  /// Polls the screen until `predicate` holds; returns the last screen and whether it held.
  func wait(
    timeout: Double = 10, until predicate: (String) -> Bool
  ) throws -> (screen: String, matched: Bool) {
    let deadline = Date().addingTimeInterval(timeout)
    var current = try screen()
    while !predicate(current) {
      if Date() > deadline { return (current, false) }
      usleep(50_000)
      current = try screen()
    }
    return (current, true)
  }

  /// Waits until the screen contains `text`.
  func wait(for text: String, timeout: Double = 10) throws -> (screen: String, matched: Bool) {
    try wait(timeout: timeout) { $0.contains(text) }
  }

  /// The last non-blank screen line (where the prompt and cursor usually are).
  func lastLine() throws -> String {
    try screen().split(separator: "\n").last.map(String.init) ?? ""
  }

  /// The exit status once the pane's process has exited, else nil.
  ///
  /// tmux reports it once it reaps the process. When started from the test runner, the tmux
  /// server occasionally leaves the exited process a zombie without noticing; on Linux the
  /// status is then read from `/proc/PID/stat` (field 52, the wait status).
  func exitStatus() throws -> Int32? {
    let fields = try run([
      "display-message", "-p", "-t", target, "#{pane_dead}:#{pane_dead_status}:#{pane_pid}",
    ])
    .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", omittingEmptySubsequences: false)
    guard fields.count == 3 else { return nil }
    // A pane can be dead (its terminal closed) before tmux has collected the status.
    if fields[0] == "1", let status = Int32(fields[1]) { return status }
    let pid = fields[2]
    guard
      let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    let rest = stat[stat.index(after: close)...].split(separator: " ")
    guard rest.count > 49, rest[0] == "Z",
      let wait = Int32(rest[49].trimmingCharacters(in: .whitespacesAndNewlines))
    else { return nil }
    return wait & 0x7F == 0 ? (wait >> 8) & 0xFF : 128 + (wait & 0x7F)
  }

  /// Waits for the process to exit and returns its status (nil on timeout).
  func waitForExit(timeout: Double = 10) throws -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() <= deadline {
      if let status = try exitStatus() { return status }
      usleep(50_000)
    }
    return nil
  }

  /// The pane process's id, state and kernel wait channel, for failure messages.
  func processDiagnostics() -> String {
    guard
      let pid = try? run(["display-message", "-p", "-t", target, "#{pane_pid}"])
        .trimmingCharacters(in: .whitespacesAndNewlines)
    else { return "pane process unknown" }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "?"
    let wchan = (try? String(contentsOfFile: "/proc/\(pid)/wchan", encoding: .utf8)) ?? "?"
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let signals = status.split(separator: "\n").filter { $0.hasPrefix("Sig") }.joined(separator: " ")
    return "pid \(pid) stat \(stat.prefix(60)) wchan \(wchan) \(signals)"
  }

  /// Stops the tmux server of this session (and the process in it).
  func close() {
    guard !closed else { return }
    closed = true
    _ = try? run(["kill-server"])
    try? FileManager.default.removeItem(atPath: configuration)
  }

  /// Runs one tmux command against this session's server; returns its stdout.
  ///
  /// Output goes through temporary files, not pipes: `new-session` forks the tmux server,
  /// which inherits the descriptors, so reading a pipe to its end would wait for the server.
  /// The command is started with `posix_spawn` and reaped with `waitpid`: Foundation's
  /// `Process.waitUntilExit` was seen to hang under parallel tests, leaving zombies unreaped.
  @discardableResult
  private func run(_ arguments: [String]) throws -> String {
    guard let executable = TmuxSession.executable else {
      throw TmuxError(description: "tmux is not installed")
    }
    let base = NSTemporaryDirectory() + socket + "-" + UUID().uuidString
    defer {
      unlink(base + ".out")
      unlink(base + ".err")
    }
    let argv = [executable, "-L", socket, "-f", configuration] + arguments
    let status = try TmuxSession.spawnAndWait(
      argv: argv, standardOutput: base + ".out", standardError: base + ".err")
    let text = String(decoding: FileManager.default.contents(atPath: base + ".out") ?? Data(), as: UTF8.self)
    guard status == 0 else {
      let message = String(
        decoding: FileManager.default.contents(atPath: base + ".err") ?? Data(), as: UTF8.self)
      throw TmuxError(description: "tmux \(arguments.first ?? "") exited \(status): \(message)")
    }
    return text
  }

  /// Starts `argv` with stdin from /dev/null and stdout/stderr into files; returns its exit status.
  private static func spawnAndWait(
    argv: [String], standardOutput: String, standardError: String
  ) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
    var cArguments = argv.map { strdup($0) } + [nil]
    var cEnvironment = environment.map { strdup($0) } + [nil]
    defer {
      cArguments.forEach { free($0) }
      cEnvironment.forEach { free($0) }
    }
    // Test threads (libdispatch workers) block most signals, and a spawned process inherits
    // the mask: tmux and the REPL would then ignore Ctrl-C and kill-server. Reset it.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, &cEnvironment)
    guard spawned == 0 else { throw TmuxError(description: "cannot start \(argv[0]): error \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 {
      guard errno == EINTR else { throw TmuxError(description: "waitpid failed: \(errno)") }
    }
    // WIFEXITED / WEXITSTATUS, which Swift does not import (they are macros).
    return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
  }
}
