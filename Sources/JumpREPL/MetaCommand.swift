/// The REPL's meta-commands: lines starting with `.`. They inspect or save the session and
/// never change model state (except `.undo`, which restores an earlier state).
public enum MetaCommand: String, CaseIterable, Sendable {
  case help, save, history, vars, models, undo, time, quit

  /// One line of help.
  public var summary: String {
    switch self {
    case .help: return "list commands, or show one command's usage: .help [COMMAND]"
    case .save: return "write the session as a replayable transcript: .save FILE.jss"
    case .history: return "show the lines typed in this and earlier sessions"
    case .vars: return "show variables, models, datasets and the target"
    case .models: return "show the models in the session and their lineage"
    case .undo: return "undo the last successful statement"
    case .time: return "show how long the last cell took"
    case .quit: return "leave the session (Ctrl-D does too)"
    }
  }

  /// Parses `.name args` into the command and its argument text.
  public static func parse(_ line: String) -> (MetaCommand?, name: String, argument: String) {
    let trimmed = line.trimmingCharacters(in: .whitespaces).dropFirst()
    let name = String(trimmed.prefix { !$0.isWhitespace })
    let argument = trimmed.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
    return (MetaCommand(rawValue: name), name, argument)
  }
}
