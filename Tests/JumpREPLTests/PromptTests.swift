import Testing

@testable import JumpREPL

@Suite struct PromptTests {
  @Test func plainPrompts() {
    let prompt = Prompt()
    #expect(prompt.primary(cell: 1) == "jss [1]> ")
    #expect(prompt.continuation(cell: 1) == "    ...> ")
    #expect(prompt.continuation(cell: 12).count == prompt.primary(cell: 12).count)
    #expect(prompt.continuation(cell: 12) == "     ...> ")
  }

  @Test func coloredPromptsHideEscapesFromLibedit() {
    let prompt = Prompt(colored: true)
    let text = prompt.primary(cell: 3)
    #expect(text == "\u{1}\u{1B}[1;32m\u{1}jss [3]>\u{1}\u{1B}[0m\u{1} ")
    #expect(Prompt.visibleText(text) == "jss [3]> ")
    #expect(Prompt.visibleText(prompt.continuation(cell: 3)) == "    ...> ")
  }
}
