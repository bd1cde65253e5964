import ArgumentParser
import JumpScript

/// `jumpstation check FILE...`: finds every mistake in scripts without running any engine work.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check scripts for mistakes without running them (exit 65 when there are any).")

  @Argument(help: "Scripts to check.")
  var scripts: [String]

  @OptionGroup var output: OutputOptions

  func run() throws {
    var errors = 0
    var firstStatus = ExitStatus.success
    let stdlib = RunEnvironment.locateStdlib()
    for path in scripts {
      let source = try Console.readScript(path)
      let diagnostics = Checker.check(source, stdlib: stdlib)
      for diagnostic in diagnostics {
        if output.json {
          Console.out(
            JSONRendering.object([
              ("file", JSONRendering.string(path)), ("line", String(diagnostic.location?.line ?? 0)),
              ("column", String(diagnostic.location?.column ?? 0)),
              ("severity", JSONRendering.string(diagnostic.severity.rawValue)),
              ("message", JSONRendering.string(diagnostic.message)),
              ("hint", diagnostic.hint.map(JSONRendering.string) ?? "null"),
            ]))
        } else {
          Console.err(diagnostic.rendered(color: output.colorErrors))
        }
      }
      let count = diagnostics.filter { $0.severity == .error }.count
      if count > 0 && firstStatus == .success { firstStatus = .dataError }
      errors += count
      if !output.json && count == 0 { Console.err("\(path): ok") }
    }
    if errors > 0 {
      if !output.json { Console.err("\(errors) error\(errors == 1 ? "" : "s")") }
      try Console.finish(firstStatus)
    }
  }
}
