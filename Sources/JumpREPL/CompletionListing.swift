/// Lays out completion candidates in columns below the prompt, like a shell does.
///
/// Path candidates are shown by their last component (`data/`, `teacher.onnx`), without the
/// directory the user already typed or the quotes, so the list stays readable.
public enum CompletionListing {
  /// The short name shown for `candidate` when completing `word`.
  public static func displayName(_ candidate: String, word: Substring) -> String {
    var name = Substring(candidate)
    if name.hasPrefix("\"") { name = name.dropFirst() }
    if name.hasSuffix("\"") { name = name.dropLast() }
    var typed = word
    if typed.hasPrefix("\"") { typed = typed.dropFirst() }
    if let slash = typed.lastIndex(of: "/") {
      let directory = typed[...slash]
      if name.hasPrefix(directory) { name = name.dropFirst(directory.count) }
    }
    return String(name)
  }

  /// The candidates as lines of columns fitting `width`, filled row by row; ends with `\n`.
  public static func format(_ candidates: [String], word: Substring, width: Int) -> String {
    let names = candidates.map { displayName($0, word: word) }
    guard let longest = names.map(\.count).max() else { return "" }
    let columnWidth = longest + 2
    let columns = max(1, min(names.count, max(width, 1) / columnWidth))
    var text = ""
    for (offset, name) in names.enumerated() {
      let endsRow = offset % columns == columns - 1 || offset == names.count - 1
      text += endsRow ? name + "\n" : name + String(repeating: " ", count: columnWidth - name.count)
    }
    return text
  }
}
