/// The REPL's prompts: `jss [n]> ` for a new cell and `...> ` while a block is open.
///
/// The continuation prompt is right-aligned to the width of the primary prompt, so the text of
/// a block lines up with its first line. Colour escapes are wrapped in libedit's invisible-text
/// delimiter (`\u{1}`, set with `EL_PROMPT_ESC`), otherwise libedit counts them as printed
/// characters and the cursor lands in the wrong column.
public struct Prompt: Sendable, Equatable {
  /// The delimiter that brackets zero-width text in a prompt given to ``LineEditor``.
  public static let invisibleDelimiter: Character = "\u{1}"

  /// The word before the cell number.
  public var name: String
  /// Whether the prompt carries ANSI colour.
  public var colored: Bool

  /// Creates a prompt style.
  public init(name: String = "jss", colored: Bool = false) {
    self.name = name
    self.colored = colored
  }

  /// The visible text of the prompt for cell `number`, e.g. `jss [3]> `.
  public func primaryText(cell number: Int) -> String { "\(name) [\(number)]> " }

  /// The visible text of the continuation prompt, padded to the primary prompt's width.
  public func continuationText(cell number: Int) -> String {
    let marker = "...> "
    let width = primaryText(cell: number).count
    return String(repeating: " ", count: max(0, width - marker.count)) + marker
  }

  /// The prompt to hand to the line editor for cell `number`, coloured if enabled.
  public func primary(cell number: Int) -> String {
    paint(primaryText(cell: number), sgr: "1;32")
  }

  /// The continuation prompt to hand to the line editor, coloured if enabled.
  public func continuation(cell number: Int) -> String {
    paint(continuationText(cell: number), sgr: "2")
  }

  /// Wraps `text` (without its trailing space) in an SGR colour, marking the escapes invisible.
  private func paint(_ text: String, sgr: String) -> String {
    guard colored else { return text }
    let body = text.hasSuffix(" ") ? String(text.dropLast()) : text
    let trailing = text.hasSuffix(" ") ? " " : ""
    return Prompt.invisible("\u{1B}[\(sgr)m") + body + Prompt.invisible("\u{1B}[0m") + trailing
  }

  /// Brackets `escape` with the invisible delimiter.
  public static func invisible(_ escape: String) -> String {
    "\(invisibleDelimiter)\(escape)\(invisibleDelimiter)"
  }

  /// Removes invisible segments, giving what the terminal shows (for plain output and tests).
  public static func visibleText(_ prompt: String) -> String {
    var result = ""
    var hidden = false
    for character in prompt {
      if character == invisibleDelimiter {
        hidden.toggle()
      } else if !hidden {
        result.append(character)
      }
    }
    return result
  }
}
