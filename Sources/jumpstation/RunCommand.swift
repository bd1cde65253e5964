import ArgumentParser
import JumpScript

/// `jumpstation run FILE`: runs a script; recorded `#=` lines are ignored.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a .jss script and print each command's result.",
    discussion: """
      The script is checked first; a mistake anywhere stops the run before any work starts (exit 65).
      A statement followed by a recorded error (`#!`) is expected to fail; the run continues past it.
      """)

  @Argument(help: "The script to run.")
  var script: String

  @OptionGroup var output: OutputOptions

  func run() throws {
    let source = try Console.readScript(script)
    let interpreter = Console.makeInterpreter(color: output.colorErrors)
    let runner = ScriptRunner(interpreter: interpreter, out: Console.out, err: Console.err)
    let summary = runner.run(
      source, options: .init(mode: .run, json: output.json, echo: output.echo, color: output.colorErrors))
    try Console.finish(summary.exitCode)
  }
}
