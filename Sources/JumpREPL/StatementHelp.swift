/// Help for the language's statements, which are not commands and so have no signature.
enum StatementHelp {
  static func text(for name: String) -> String? {
    switch name {
    case "let": return "let NAME = VALUE — bind a variable; VALUE may be a command: let r = report"
    case "if", "else": return "if CONDITION { ... } else { ... } — run a block when a condition holds"
    case "for", "in": return "for NAME in [A, B, C] { ... } — run a block for each element of a list"
    case "def":
      return """
        def NAME(PARAM, ..., OPTION=DEFAULT, ...) { ... } — define a function; call it as \
        NAME ARG ... OPTION=VALUE or NAME(ARG, ..., OPTION=VALUE); options may be left out
        """
    case "use": return "use MODULE — load stdlib/MODULE.jss (use targets), or use \"path/file.jss\""
    default: return nil
    }
  }
}
