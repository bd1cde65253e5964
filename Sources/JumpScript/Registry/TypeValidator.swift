/// Checks that a value fits a parameter type, with a message and hint users can act on.
enum TypeValidator {
  /// Nil when the value fits; otherwise what is wrong and, where possible, a suggestion.
  static func problem(with value: Value, for type: ParameterType, name: String) -> (String, String?)? {
    switch type {
    case .choice(let words):
      guard let word = wordValue(value) else {
        return ("\(name) must be one of \(words.joined(separator: ", ")), not a \(value.typeName)", nil)
      }
      if words.contains(word) { return nil }
      let hint = Suggestion.closest(to: word, in: words).map { "did you mean '\($0)'?" }
      return ("unknown \(name) '\(word)' (expected \(words.joined(separator: ", ")))", hint)
    case .number(let dimension, let range):
      guard case .number(let quantity) = value else {
        return ("\(name) must be a \(type.description), not a \(value.typeName)", nil)
      }
      if quantity.dimension != dimension {
        if dimension == .none {
          return ("\(name) is a plain number, not a \(quantity.dimension.rawValue)", nil)
        }
        let example = exampleUnit(dimension)
        return ("\(name) must be a \(dimension.rawValue) with a unit, such as \(example)", nil)
      }
      if let range, !range.contains(quantity.value) {
        let shown = ValueFormatter.number(quantity.value, dimension: dimension)
        let bounds =
          ValueFormatter.number(range.lowerBound, dimension: dimension) + "..."
          + ValueFormatter.number(range.upperBound, dimension: dimension)
        return ("\(name) \(shown) is out of range (expected \(bounds))", nil)
      }
      return nil
    case .integer(let range):
      guard case .number(let quantity) = value, quantity.dimension == .none else {
        return ("\(name) must be a whole number, not a \(value.typeName)", nil)
      }
      guard quantity.isInteger else {
        return ("\(name) must be a whole number, not \(ValueFormatter.plain(quantity.value))", nil)
      }
      if let range, !range.contains(Int(quantity.value)) {
        return (
          "\(name) \(Int(quantity.value)) is out of range (expected \(range.lowerBound)...\(range.upperBound))",
          nil
        )
      }
      return nil
    case .string, .newName, .module:
      switch value {
      case .string, .word: return nil
      default: return ("\(name) must be a string, not a \(value.typeName)", nil)
      }
    case .inputPath(let extensions), .outputPath(let extensions):
      guard case .string(let path) = value else {
        return ("\(name) must be a path in quotes, not a \(value.typeName)", nil)
      }
      if path.isEmpty { return ("\(name) is empty", nil) }
      if !extensions.isEmpty, !path.hasSuffix("/") {
        let lower = path.lowercased()
        let matches = extensions.contains { lower.hasSuffix("." + $0) }
        let isDirectoryAllowed = extensions.contains("/")
        if !matches && !isDirectoryAllowed {
          let expected = extensions.map { "." + $0 }.joined(separator: ", ")
          return ("\(name) '\(path)' must end in \(expected)", nil)
        }
      }
      return nil
    case .boolean:
      if case .bool = value { return nil }
      return ("\(name) must be true or false, not a \(value.typeName)", nil)
    case .model:
      if case .model = value { return nil }
      return ("\(name) must be a model, not a \(value.typeName)", nil)
    case .dataset:
      if case .dataset = value { return nil }
      return ("\(name) must be a dataset, not a \(value.typeName)", nil)
    case .target:
      if case .target = value { return nil }
      return ("\(name) must be a target, not a \(value.typeName)", nil)
    case .numberOrWord(let range, let words):
      if let word = wordValue(value) {
        if words.contains(word) { return nil }
        let hint = Suggestion.closest(to: word, in: words).map { "did you mean '\($0)'?" }
        return ("unknown \(name) '\(word)' (expected a number or \(words.joined(separator: ", ")))", hint)
      }
      return problem(with: value, for: .number(.none, range: range), name: name)
    case .list(let element):
      guard case .list(let elements) = value else {
        return ("\(name) must be a list, not a \(value.typeName)", nil)
      }
      for item in elements {
        if let problem = problem(with: item, for: element, name: "each \(name) element") { return problem }
      }
      return nil
    }
  }

  private static func wordValue(_ value: Value) -> String? {
    switch value {
    case .word(let word), .string(let word): return word
    case .bool(let flag): return flag ? "true" : "false"
    default: return nil
    }
  }

  private static func exampleUnit(_ dimension: Dimension) -> String {
    switch dimension {
    case .bytes: return "264KB"
    case .time: return "10ms"
    case .frequency: return "133MHz"
    case .none: return "0.5"
    }
  }
}
