/// The rule for `NAME=VALUE` options passed to a `def` function, shared by the checker and the
/// interpreter so `check` and `run` word the same mistake the same way (and as `ArgumentBinder`
/// words a built-in command's unknown option).
enum FunctionOptions {
  /// What is wrong with one option of a call, or nil when the function has it and it is not repeated.
  static func problem(
    with option: NamedExpr, function: String, optionNames: [String], alreadyGiven: [String]
  ) -> (message: String, hint: String)? {
    guard optionNames.contains(option.name) else {
      let hint =
        Suggestion.closest(to: option.name, in: optionNames).map { "did you mean '\($0)'?" }
        ?? (optionNames.isEmpty
          ? "'\(function)' has no options" : "options are \(optionNames.joined(separator: ", "))")
      return ("unknown option '\(option.name)' for '\(function)'", hint)
    }
    if alreadyGiven.contains(option.name) {
      return ("'\(option.name)' is given twice", "give each option once")
    }
    return nil
  }
}
