import Foundation
import Testing

/// `jumpstation` with no subcommand and stdin not a terminal: the input runs as a script,
/// results on stdout, stopping at the first error with its exit code.
@Suite(.enabled(if: JumpStationProcess.binary != nil, JumpStationProcess.missingBinary))
struct REPLCommandTests {
  @Test func pipedInputRunsAsAScript() throws {
    let result = try JumpStationProcess.run(
      [],
      stdin: """
        use targets
        target pico
        let budget = target.ram - 8KB
        budget
        for s in [0.3, 0.5] {
          "pruned_" + s
        }

        """)
    #expect(result.status == 0)
    #expect(
      result.lines == ["pico: 264 KB RAM, 2 MB flash, 133 MHz, no FPU", "256 KB", "pruned_0.3", "pruned_0.5"])
  }

  @Test func aFailedCommandStopsTheInputWithStatus1() throws {
    let result = try JumpStationProcess.run([], stdin: "\"before\"\n1 / 0\n\"after\"\n")
    #expect(result.status == 1)
    #expect(result.lines == ["before"])
    #expect(result.stderr.contains("error: division by zero"))
  }

  @Test func aMistakeStopsTheInputWithStatus65() throws {
    let result = try JumpStationProcess.run([], stdin: "\"before\"\nreprot\n\"after\"\n")
    #expect(result.status == 65)
    #expect(result.lines == ["before"])
    #expect(result.stderr.contains("unknown command 'reprot'"))
  }

  @Test func aMissingInputStopsTheInputWithStatus66() throws {
    let result = try JumpStationProcess.run([], stdin: "load \"/no/such/model.onnx\"\n\"after\"\n")
    #expect(result.status == 66)
    #expect(result.stdout.isEmpty)
  }
}
