/// Finds the word that Tab completes: the end of the line typed so far.
///
/// A word runs from the last space that is not inside a double-quoted string to the cursor,
/// so `load "my models/te` completes `"my models/te` as one word. Completion candidates are
/// whole replacements for this word; the backend and the line editor both use this one rule,
/// so what the backend proposes and what the editor replaces always agree.
public enum CompletionWord {
  /// The word being completed at the end of `lineBeforeCursor` (possibly empty).
  public static func current(in lineBeforeCursor: String) -> Substring {
    var start = lineBeforeCursor.startIndex
    var inQuote = false
    var escaped = false
    var index = lineBeforeCursor.startIndex
    while index < lineBeforeCursor.endIndex {
      let character = lineBeforeCursor[index]
      let following = lineBeforeCursor.index(after: index)
      if escaped {
        escaped = false
      } else if character == "\\" && inQuote {
        escaped = true
      } else if character == "\"" {
        inQuote.toggle()
      } else if character.isWhitespace && !inQuote {
        start = following
      }
      index = following
    }
    return lineBeforeCursor[start...]
  }

  /// The text before the current word (the command and earlier arguments).
  public static func preceding(in lineBeforeCursor: String) -> Substring {
    let word = current(in: lineBeforeCursor)
    return lineBeforeCursor[..<word.startIndex]
  }
}
