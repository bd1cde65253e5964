import Testing

@testable import JumpScript

/// A diagnostic over the first occurrence of `needle` in `text`.
private func diagnostic(_ text: String, at needle: String, hint: String? = nil) -> Diagnostic {
  let source = SourceFile(name: "t.jss", text: text)
  let start = text.utf8.count - (text.range(of: needle).map { text[$0.lowerBound...].utf8.count } ?? 0)
  return Diagnostic(
    .error, "boom", file: source, span: SourceSpan(start: start, end: start + needle.utf8.count), hint: hint)
}

@Suite struct DiagnosticTests {
  @Test func caretSitsUnderTheSpan() {
    let rendered = diagnostic("seed 1\nload \"a.onnx\" as m\n", at: "\"a.onnx\"", hint: "try this").rendered()
    #expect(
      rendered == """
        t.jss:2:6: error: boom
          |
        2 | load "a.onnx" as m
          |      ^~~~~~~~
          hint: try this
        """)
  }

  @Test func columnsCountCharactersNotBytes() {
    let found = diagnostic("let s = \"é€\" + x", at: "x")
    #expect(found.location == Location(line: 1, column: 16))
    let lines = found.rendered().split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[2] == "1 | let s = \"é€\" + x")
    #expect(lines[3] == "  |                ^")
  }

  @Test func gutterWidensForLongFiles() {
    let text = (1...11).map { "seed \($0)" }.joined(separator: "\n")
    let lines = diagnostic(text, at: "11").rendered().split(separator: "\n")
    #expect(lines[0] == "t.jss:11:6: error: boom")
    #expect(lines[1] == "   |")
    #expect(lines[2] == "11 | seed 11")
    #expect(lines[3] == "   |      ^~")
  }

  @Test func aSpanOverSeveralLinesIsCutAtTheLineEnd() {
    let rendered = diagnostic("if x {\n  seed 1\n}", at: "{\n  seed 1\n}").rendered()
    #expect(rendered.split(separator: "\n").last == "  |      ^")
  }

  @Test func anEmptySpanStillGetsACaret() {
    let source = SourceFile(name: "t.jss", text: "seed")
    let rendered = Diagnostic(.error, "expected a seed", file: source, span: SourceSpan(start: 4, end: 4))
      .rendered()
    #expect(rendered.split(separator: "\n").last == "  |     ^")
  }

  @Test func withoutAPlaceOnlyTheHeadlineAndHint() {
    let plain = Diagnostic(.error, "no such script 'x.jss'", hint: "check the path")
    #expect(plain.location == nil)
    #expect(plain.headline == "error: no such script 'x.jss'")
    #expect(plain.rendered() == "error: no such script 'x.jss'\n  hint: check the path")
  }

  @Test func headlineAndTranscriptForms() {
    let found = diagnostic("quantize int7", at: "int7", hint: "did you mean 'int8'?")
    #expect(found.headline == "t.jss:1:10: error: boom")
    #expect(found.transcriptText == "error: boom (did you mean 'int8'?)")
    let warning = Diagnostic(.warning, "careful")
    #expect(warning.transcriptText == "warning: careful")
  }

  @Test func colourOnlyWhenAsked() {
    let found = diagnostic("seed x", at: "x")
    #expect(!found.rendered().contains("\u{1B}["))
    #expect(found.rendered(color: true).hasPrefix("\u{1B}[1;31mt.jss:1:6: error: boom\u{1B}[0m"))
    #expect(Diagnostic(.warning, "w").rendered(color: true).hasPrefix("\u{1B}[1;33m"))
  }

  @Test func exitStatusesFollowTheDesign() {
    #expect(ExitStatus.success.rawValue == 0)
    #expect(ExitStatus.failure.rawValue == 1)
    #expect(ExitStatus.usage.rawValue == 64)
    #expect(ExitStatus.dataError.rawValue == 65)
    #expect(ExitStatus.noInput.rawValue == 66)
    #expect(ExitStatus.software.rawValue == 70)
    #expect(ExitStatus.interrupted.rawValue == 130)
    #expect(Diagnostic(.error, "x").exitCode == .failure)
  }
}
