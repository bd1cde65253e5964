import ArgumentParser
import JumpScript

/// A one-shot command (`quantize`, `prune`, `distill`): its flags stand for a `.jss` script, which it
/// prints with `--emit-script` or runs on the same interpreter as `run`.
protocol OneShotScript: ParsableCommand {
  /// The script the flags stand for.
  var script: String { get }
  /// Whether to print the script instead of running it.
  var emitScript: Bool { get }
  /// `--json`, `--echo` and colour.
  var outputOptions: OutputOptions { get }
}

extension OneShotScript {
  func run() throws {
    if emitScript {
      print(script, terminator: "")
      return
    }
    let color = outputOptions.colorErrors
    let runner = ScriptRunner(
      interpreter: Console.makeInterpreter(color: color), out: Console.out, err: Console.err)
    let summary = runner.run(
      SourceFile(name: "<jumpstation \(Self.configuration.commandName ?? "")>", text: script),
      options: .init(mode: .run, json: outputOptions.json, echo: outputOptions.echo, color: color))
    try Console.finish(summary.exitCode)
  }
}
