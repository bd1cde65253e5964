/// What a Tab press should do to the line, decided from the word and the candidates.
///
/// Kept free of libedit so the rules are unit-tested: one candidate is completed in full
/// (with a trailing space, except after a directory's `/`); several candidates extend the word
/// to their longest common prefix; when that adds nothing, a second consecutive Tab lists them.
public enum CompletionPlan: Sendable, Equatable {
  /// Nothing to do; the editor beeps.
  case none
  /// Insert this text at the cursor.
  case insert(String)
  /// Delete the word (this many Unicode scalars before the cursor) and insert the text, for
  /// candidates that do not extend the typed word literally (e.g. an added opening quote).
  case replace(deletingScalars: Int, with: String)
  /// Show these candidates below the prompt, then redraw the line.
  case list([String])

  /// Decides what Tab does.
  /// - Parameters:
  ///   - word: the word before the cursor (see ``CompletionWord``).
  ///   - candidates: full replacements for `word`, in display order.
  ///   - isRepeatedTab: the previous key was also Tab and it changed nothing.
  public static func make(word: Substring, candidates: [String], isRepeatedTab: Bool) -> CompletionPlan {
    var seen = Set<String>()
    let unique = candidates.filter { seen.insert($0).inserted }
    guard let first = unique.first else { return .none }
    if unique.count == 1 {
      let terminator = first.hasSuffix("/") ? "" : " "
      return edit(word: word, into: first + terminator)
    }
    let prefix = commonPrefix(unique)
    let extends = prefix.hasPrefix(word) && prefix.count > word.count
    let rewrites = !prefix.hasPrefix(word) && prefix.count >= word.count && !prefix.isEmpty
    if extends || rewrites { return edit(word: word, into: prefix) }
    return isRepeatedTab ? .list(unique) : .none
  }

  /// The longest common prefix of `strings`, by whole characters.
  public static func commonPrefix(_ strings: [String]) -> String {
    guard let first = strings.first else { return "" }
    var prefix = first[...]
    for string in strings.dropFirst() {
      var end = prefix.startIndex
      var other = string.startIndex
      while end < prefix.endIndex && other < string.endIndex && prefix[end] == string[other] {
        end = prefix.index(after: end)
        other = string.index(after: other)
      }
      prefix = prefix[..<end]
    }
    return String(prefix)
  }

  /// Inserts the missing suffix when `target` extends `word`, or replaces the word otherwise.
  private static func edit(word: Substring, into target: String) -> CompletionPlan {
    if target.hasPrefix(word) {
      let suffix = String(target.dropFirst(word.count))
      return suffix.isEmpty ? .none : .insert(suffix)
    }
    return .replace(deletingScalars: word.unicodeScalars.count, with: target)
  }
}
