import Foundation
import Testing

/// The command line as a whole: usage errors exit 64 (DESIGN §6), help and version exit 0.
@Suite(.enabled(if: JumpStationProcess.binary != nil, JumpStationProcess.missingBinary))
struct MainTests {
  @Test func unknownSubcommandIsAUsageError() throws {
    let result = try JumpStationProcess.run(["frobnicate"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("frobnicate"))
    #expect(result.stdout.isEmpty)
  }

  @Test func unknownFlagIsAUsageError() throws {
    let script = try JumpStationProcess.script("seed 1\n")
    defer { try? FileManager.default.removeItem(at: script.deletingLastPathComponent()) }
    let result = try JumpStationProcess.run(["run", "--bogus", script.path])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--bogus"))
  }

  @Test func missingArgumentIsAUsageError() throws {
    #expect(try JumpStationProcess.run(["run"]).status == 64)
    #expect(try JumpStationProcess.run(["check"]).status == 64)
  }

  @Test func helpListsTheSubcommands() throws {
    let result = try JumpStationProcess.run(["--help"])
    #expect(result.status == 0)
    for subcommand in ["run", "check", "replay", "repl"] {
      #expect(result.stdout.contains("  \(subcommand)"), "help lists \(subcommand)")
    }
  }

  @Test func version() throws {
    let result = try JumpStationProcess.run(["--version"])
    #expect(result.status == 0)
    #expect(!result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
  }
}
