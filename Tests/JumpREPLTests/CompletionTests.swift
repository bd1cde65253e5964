import Testing

@testable import JumpREPL

@Suite struct CompletionTests {
  @Test func currentWordStopsAtUnquotedSpace() {
    #expect(CompletionWord.current(in: "quantize in") == "in")
    #expect(CompletionWord.current(in: "quantize ") == "")
    #expect(CompletionWord.current(in: "") == "")
    #expect(CompletionWord.current(in: "load \"my models/te") == "\"my models/te")
    #expect(CompletionWord.current(in: "load \"a\\\" b") == "\"a\\\" b")
    #expect(CompletionWord.current(in: "calibrate on op method=per") == "method=per")
    #expect(CompletionWord.preceding(in: "load \"my models/te") == "load ")
  }

  @Test func commonPrefix() {
    #expect(CompletionPlan.commonPrefix(["quantize", "quit"]) == "qu")
    #expect(CompletionPlan.commonPrefix(["abc"]) == "abc")
    #expect(CompletionPlan.commonPrefix(["abc", "xyz"]) == "")
    #expect(CompletionPlan.commonPrefix([]) == "")
    #expect(CompletionPlan.commonPrefix(["café", "cafe"]) == "caf")
  }

  @Test func singleCandidateCompletesWithSpaceOrSlash() {
    #expect(
      CompletionPlan.make(word: "quan", candidates: ["quantize"], isRepeatedTab: false) == .insert("tize "))
    #expect(
      CompletionPlan.make(word: "mo", candidates: ["models/"], isRepeatedTab: false) == .insert("dels/"))
    #expect(
      CompletionPlan.make(word: "\"m/t", candidates: ["\"m/t.onnx\""], isRepeatedTab: false)
        == .insert(".onnx\" "))
    // Duplicates count once.
    #expect(
      CompletionPlan.make(word: "se", candidates: ["seed", "seed"], isRepeatedTab: false) == .insert("ed "))
    // Already complete: the space is still added.
    #expect(CompletionPlan.make(word: "seed", candidates: ["seed"], isRepeatedTab: false) == .insert(" "))
  }

  @Test func severalCandidatesExtendThenListOnSecondTab() {
    let candidates = ["prune", "print", "pipeline"]
    #expect(CompletionPlan.make(word: "pr", candidates: candidates, isRepeatedTab: false) == .none)
    #expect(CompletionPlan.make(word: "pr", candidates: candidates, isRepeatedTab: true) == .list(candidates))
    #expect(
      CompletionPlan.make(word: "q", candidates: ["quantize", "quantile"], isRepeatedTab: false)
        == .insert("uanti"))
  }

  @Test func candidatesThatRewriteTheWordReplaceIt() {
    #expect(
      CompletionPlan.make(word: "my", candidates: ["\"my dir/"], isRepeatedTab: false)
        == .replace(deletingScalars: 2, with: "\"my dir/"))
    #expect(CompletionPlan.make(word: "x", candidates: [], isRepeatedTab: true) == .none)
  }

  @Test func listingShowsShortNamesInColumns() {
    let word: Substring = "\"models/"
    let candidates = ["\"models/old/", "\"models/teacher.onnx\"", "\"models/student.onnx\""]
    #expect(CompletionListing.displayName(candidates[1], word: word) == "teacher.onnx")
    let wide = CompletionListing.format(candidates, word: word, width: 80)
    #expect(wide == "old/          teacher.onnx  student.onnx\n")
    let narrow = CompletionListing.format(candidates, word: word, width: 30)
    #expect(narrow == "old/          teacher.onnx\nstudent.onnx\n")
    #expect(CompletionListing.format([], word: "", width: 80) == "")
  }
}
