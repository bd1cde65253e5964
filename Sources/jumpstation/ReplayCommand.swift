import ArgumentParser
import JumpScript

/// `jumpstation replay FILE...`: runs transcripts and compares results with their recordings.
struct ReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Run transcripts and compare each result with its recorded #= / #! lines.",
    discussion: """
      Recorded lines may use [..] for any text within a line and NUMBER~TOL for a tolerance.
      Ends with 'N passed, M failed'; exit 1 on any mismatch. --update rewrites the recordings.
      """)

  @Argument(help: "Transcript files to replay.")
  var scripts: [String]

  @Flag(help: "Rewrite the recorded lines with the actual results.")
  var update = false

  @OptionGroup var output: OutputOptions

  func run() throws {
    var worst = ExitStatus.success
    var passed = 0
    var failed = 0
    for path in scripts {
      let source = try Console.readScript(path)
      let interpreter = Console.makeInterpreter(color: output.colorErrors)
      let runner = ScriptRunner(interpreter: interpreter, out: Console.out, err: Console.err)
      let summary = runner.run(
        source,
        options: .init(
          mode: update ? .update : .replay, json: output.json, echo: output.echo, color: output.colorErrors))
      passed += summary.passed
      failed += summary.failed
      if summary.exitCode != .success && worst == .success { worst = summary.exitCode }
      if summary.exitCode == .interrupted { break }
    }
    if scripts.count > 1 && !update && !output.json {
      Console.out("total: \(passed) passed, \(failed) failed")
    }
    try Console.finish(worst)
  }
}
