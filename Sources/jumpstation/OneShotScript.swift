import ArgumentParser
import JumpScript

/// A one-shot command (`quantize`, `prune`, `distill`): its flags stand for a `.jss` script, which it
/// prints with `--emit-script` or runs on the same interpreter as `run`.
protocol OneShotScript: ParsableCommand {
  /// The script the flags stand for.
  var script: String { get }
  /// Where the result goes, or `--emit-script`.
  var destination: OneShotDestination { get }
  /// `--json`, `--echo` and colour.
  var outputOptions: OutputOptions { get }
}

extension OneShotScript {
  func run() throws {
    if destination.emitScript {
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

/// `--output` and `--emit-script`, the same in every one-shot command: the result's file, or the script
/// printed instead of run; one of them is required.
struct OneShotDestination: ParsableArguments {
  @Option(help: "Where to write the result: .tflite, or .onnx (QDQ for a quantized model).")
  var output: String?

  @Flag(help: "Print the .jss script these flags mean and exit without running it.")
  var emitScript = false

  func validate() throws {
    if !emitScript && output == nil {
      throw ValidationError("--output is required (or use --emit-script to print the script)")
    }
  }
}
