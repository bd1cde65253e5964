import JumpScript

/// Tab completion driven by the command registry and the live session: command words,
/// options (`epochs=`), enum values (`int8`), model, dataset and target names, stdlib modules,
/// and file paths filtered by what the argument accepts (only `.onnx` after `load`).
struct SessionCompleter {
  let interpreter: Interpreter

  private static let statementKeywords = ["let", "if", "for", "def", "use"]

  func candidates(forLineBeforeCursor line: String) -> [String] {
    let word = String(CompletionWord.current(in: line))
    let before = CompletionWord.preceding(in: line)
    let words = before.split(whereSeparator: \.isWhitespace).map(String.init)
    let state = interpreter.state
    if words.isEmpty {
      if word.hasPrefix(".") { return filter(MetaCommand.allCases.map { "." + $0.rawValue }, word) }
      return filter(
        interpreter.registry.signatures.map(\.name) + Self.statementKeywords + Array(state.functions.keys),
        word)
    }
    let first = words[0]
    if first.hasPrefix(".") { return metaArgument(first, word) }
    if first == "use" {
      return filter(ModuleResolver.available(in: interpreter.environment.stdlibDirectory), word)
    }
    let commandName = first == "let" && words.count >= 3 ? words[2] : first
    guard let signature = interpreter.registry.signature(commandName) else {
      if let function = state.functions[commandName], !word.contains("=") {
        // A `def` function's arguments are names; its options complete as `key=`, like a command's.
        return filter(names(state) + function.optionNames.map { $0 + "=" }, word)
      }
      return filter(names(state), word)
    }
    if let preposition = words.last.flatMap(Keyword.init(rawValue:)),
      Keyword.prepositions.contains(preposition)
    {
      guard let parameter = signature.preposition(preposition) else { return [] }
      return values(for: parameter.type, word)
    }
    if let equals = word.firstIndex(of: "=") {
      let key = String(word[..<equals])
      guard let option = signature.option(key) else { return [] }
      let typed = String(word[word.index(after: equals)...])
      return values(for: option.type, typed).map { key + "=" + $0 }
    }
    if word.hasPrefix("\"") {
      let pathParameter = signature.positionals.first { parameter in
        switch parameter.type {
        case .inputPath, .outputPath: return true
        default: return false
        }
      }
      return values(for: pathParameter?.type ?? .inputPath(extensions: []), word)
    }
    let positionalIndex = max(0, words.count - 1 - (signature.binding == nil ? 0 : 2))
    var result: [String] = []
    if positionalIndex < signature.positionals.count {
      result += values(for: signature.positionals[positionalIndex].type, word)
    }
    for parameter in signature.positionals where positionalIndex >= signature.positionals.count {
      if case .choice = parameter.type { result += values(for: parameter.type, word) }
    }
    result += signature.options.map { $0.name + "=" }.filter { $0.hasPrefix(word) }
    result += signature.prepositions.map(\.keyword.rawValue).filter { $0.hasPrefix(word) && !word.isEmpty }
    return Array(Set(result)).sorted()
  }

  private func values(for type: ParameterType, _ word: String) -> [String] {
    let state = interpreter.state
    switch type {
    case .choice(let words), .numberOrWord(_, let words): return filter(words, word)
    case .boolean: return filter(["true", "false"], word)
    case .model: return filter(state.models.map(\.name), word)
    case .dataset: return filter(state.datasets.map(\.name), word)
    case .target: return filter(state.devices.map(\.name), word)
    case .module: return filter(ModuleResolver.available(in: interpreter.environment.stdlibDirectory), word)
    case .inputPath(let extensions), .outputPath(let extensions):
      let typed = word.hasPrefix("\"") || word.isEmpty ? (word.isEmpty ? "\"" : word) : "\"" + word
      let allowed = Set(extensions.filter { $0 != "/" })
      return PathCompleter.candidates(prefix: typed, allowedExtensions: allowed.isEmpty ? nil : allowed)
    case .number, .integer, .string, .newName, .list: return []
    }
  }

  private func metaArgument(_ meta: String, _ word: String) -> [String] {
    switch meta {
    case ".help":
      return filter(
        interpreter.registry.signatures.map(\.name) + MetaCommand.allCases.map { "." + $0.rawValue }, word)
    case ".save": return PathCompleter.candidates(prefix: word, allowedExtensions: ["jss"])
    default: return []
    }
  }

  private func names(_ state: SessionState) -> [String] {
    Array(state.globals.keys) + state.models.map(\.name) + state.datasets.map(\.name)
      + state.devices.map(\.name)
  }

  private func filter(_ candidates: [String], _ prefix: String) -> [String] {
    Array(Set(candidates.filter { $0.hasPrefix(prefix) })).sorted()
  }
}
