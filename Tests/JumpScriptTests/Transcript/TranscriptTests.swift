import Testing

@testable import JumpScript

private func transcript(_ text: String) -> Transcript {
  Transcript(program: parse(text).program)
}

@Suite struct TranscriptTests {
  let script = """
    # prose about the step
    let x = 1 + 1
    x
    #= 2
    if x > 1 {
      "big"
      "bigger"
    }
    #= big
    #=   indented
    #=
    1KB + 1ms
    #! error: cannot add a time to a size
    #! second line
    """

  @Test func attachesRecordingsToTheStatementsBeforeThem() {
    let entries = transcript(script).entries
    #expect(entries.count == 4)
    #expect(entries.map(\.lastLine) == [2, 3, 8, 12])
    #expect(entries.map(\.expectedOutput) == [[], ["2"], ["big", "  indented", ""], []])
    #expect(
      entries.map(\.expectedError) == [nil, nil, nil, "error: cannot add a time to a size\nsecond line"])
    #expect(entries.map(\.recordedLines) == [[], [4], [9, 10, 11], [13, 14]])
  }

  @Test func aCommentBetweenStatementAndRecordingDetachesIt() {
    let entries = transcript("seed 1\n# note\n#= 1").entries
    #expect(entries.count == 1)
    #expect(entries[0].expectedOutput == [])
  }

  @Test func recordingLines() {
    #expect(Transcript.recordingLines(output: ["a", "", "b"], error: nil) == ["#= a", "#=", "#= b"])
    #expect(Transcript.recordingLines(output: [], error: "error: x\nmore") == ["#! error: x", "#! more"])
  }

  @Test func updatedRewritesEveryRecording() {
    let rewritten = transcript(script).updated(with: [
      ([], nil),
      (["3"], nil),
      (["big", "bigger"], nil),
      ([], "error: changed"),
    ])
    #expect(
      rewritten == """
        # prose about the step
        let x = 1 + 1
        x
        #= 3
        if x > 1 {
          "big"
          "bigger"
        }
        #= big
        #= bigger
        1KB + 1ms
        #! error: changed

        """)
  }

  @Test func updatedAddsRecordingsWhereThereWereNone() {
    let rewritten = transcript("seed 1\nx\n\ny\n").updated(with: [
      ([], nil), (["1"], nil), (["a", "b"], "error: e"),
    ])
    #expect(rewritten == "seed 1\nx\n#= 1\n\ny\n#= a\n#= b\n#! error: e\n")
  }

  @Test func updatedIsStableWhenNothingChanged() {
    let text = "x\n#= 1\ny\n#! error: e\n"
    #expect(transcript(text).updated(with: [(["1"], nil), ([], "error: e")]) == text)
  }
}

@Suite struct OutputMatcherTests {
  @Test func exactLines() {
    #expect(OutputMatcher.matches(expected: "teacher: 13 nodes", actual: "teacher: 13 nodes"))
    #expect(!OutputMatcher.matches(expected: "teacher: 13 nodes", actual: "teacher: 14 nodes"))
    #expect(!OutputMatcher.matches(expected: "a.b (c)", actual: "aXb (c)"))
    #expect(OutputMatcher.matches(expected: "", actual: ""))
  }

  @Test func wildcards() {
    #expect(
      OutputMatcher.matches(
        expected: "wrote out.onnx ([..])", actual: "wrote out.onnx (3.34 MB, sha256 ab12…)"))
    #expect(OutputMatcher.matches(expected: "[..]", actual: "anything at all"))
    #expect(OutputMatcher.matches(expected: "[..]", actual: ""))
    #expect(OutputMatcher.matches(expected: "a [..] c [..]", actual: "a b c d"))
    #expect(OutputMatcher.matches(expected: "a.b [..] (c)", actual: "a.b x (c)"))
    #expect(!OutputMatcher.matches(expected: "a.b [..] (c)", actual: "aXb x (c)"))
    #expect(!OutputMatcher.matches(expected: "start [..]", actual: "begin here"))
    #expect(!OutputMatcher.matches(expected: "[..] end", actual: "the end."))
  }

  @Test func tolerances() {
    #expect(OutputMatcher.matches(expected: "accuracy 0.973~0.01", actual: "accuracy 0.98"))
    #expect(!OutputMatcher.matches(expected: "accuracy 0.973~0.01", actual: "accuracy 0.99"))
    #expect(OutputMatcher.matches(expected: "0.5~0.1", actual: "0.6"), "the bound is inclusive")
    #expect(OutputMatcher.matches(expected: "error -1.5~0.1 dB", actual: "error -1.45 dB"))
    #expect(OutputMatcher.matches(expected: "lr 1e-4~1e-5", actual: "lr 0.000105"))
    #expect(OutputMatcher.matches(expected: "97.6~0.1 % after 12~1 ms", actual: "97.64 % after 13 ms"))
    #expect(!OutputMatcher.matches(expected: "97.6~0.1 % after 12~1 ms", actual: "97.64 % after 14 ms"))
    #expect(!OutputMatcher.matches(expected: "acc 0.9~0.1", actual: "acc high"))
    #expect(OutputMatcher.matches(expected: "[..] 0.9~0.1 [..]", actual: "x 0.85 y"))
  }

  @Test func aTildeThatIsNoToleranceIsLiteral() {
    #expect(OutputMatcher.matches(expected: "about ~ 5", actual: "about ~ 5"))
    #expect(!OutputMatcher.matches(expected: "about ~ 5", actual: "about ~ 6"))
  }
}

@Suite struct UnifiedDiffTests {
  @Test func marksRemovedAndAddedLines() {
    let diff = UnifiedDiff.lines(expected: ["a", "b", "c"], actual: ["a", "x", "c"])
    #expect(diff.prefix(2) == ["--- recorded", "+++ actual"])
    #expect(diff.first(where: { $0.hasPrefix("  ") }) == "  a")
    #expect(diff.last == "  c")
    #expect(Set(diff.dropFirst(3).dropLast()) == ["- b", "+ x"])
  }

  @Test func matchingRecordedPatternsCountAsEqual() {
    let diff = UnifiedDiff.lines(
      expected: ["took [..] ms", "acc 0.9~0.05"], actual: ["took 12 ms", "acc 0.5"])
    #expect(diff == ["--- recorded", "+++ actual", "  took 12 ms", "- acc 0.9~0.05", "+ acc 0.5"])
  }

  @Test func extraAndMissingLines() {
    #expect(UnifiedDiff.lines(expected: [], actual: ["new"]) == ["--- recorded", "+++ actual", "+ new"])
    #expect(UnifiedDiff.lines(expected: ["old"], actual: []) == ["--- recorded", "+++ actual", "- old"])
    #expect(
      UnifiedDiff.lines(expected: ["a", "b"], actual: ["a", "b", "c"]) == [
        "--- recorded", "+++ actual", "  a", "  b", "+ c",
      ])
  }
}
