import ArgumentParser
import Foundation
import JumpREPL
import JumpScript

/// `jumpstation` with no subcommand: the notebook-style REPL on a terminal, or the input run as
/// a script when stdin or stdout is not a terminal.
struct REPLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl",
    abstract: "Start the interactive session (the default).",
    discussion: """
      Each input is a numbered cell; results are addressable as _, _N or by their 'as' name.
      Tab completes; Ctrl-C cancels the line or the running command; Ctrl-D exits. Type .help.
      When stdin or stdout is not a terminal, the input runs as a script and stops at the first error.
      """)

  @OptionGroup var output: OutputOptions

  func run() throws {
    let terminal = Terminal.current()
    let interpreter = Console.makeInterpreter(color: terminal.colorOnStderr(noColorFlag: output.noColor))
    let journal = SessionJournal(directory: terminal.isInteractive ? SessionJournal.defaultDirectory() : nil)
    var configuration = REPLConfiguration.standard(
      banner: "JumpStation \(JumpStationVersion.current) — type .help for commands, Ctrl-D to leave",
      noColorFlag: output.noColor)
    if !terminal.isInteractive { configuration.historyFile = nil }
    let historyFile = configuration.historyFile
    let backend = SessionBackend(
      interpreter: interpreter, journal: journal, output: configuration.output,
      history: { historyFile?.entries() ?? [] }, color: terminal.colorOnStderr(noColorFlag: output.noColor))
    let repl = REPL(backend: backend, configuration: configuration)
    let termination = repl.run()
    if termination.exitStatus != 0 { throw ExitCode(termination.exitStatus) }
  }
}
