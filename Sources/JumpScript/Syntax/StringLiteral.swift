/// Writing text as a `.jss` string literal, for tools that generate scripts.
public enum StringLiteral {
  /// `text` quoted, with the escapes the lexer reads back (`\\`, `\"`, `\n`, `\t`).
  public static func quoted(_ text: String) -> String {
    var result = "\""
    for character in text {
      switch character {
      case "\\": result += "\\\\"
      case "\"": result += "\\\""
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      default: result.append(character)
      }
    }
    return result + "\""
  }
}
