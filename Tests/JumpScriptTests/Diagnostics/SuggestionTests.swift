import Testing

@testable import JumpScript

/// Suggestions for unknown names: the closest one when it is a plausible typo, otherwise the known ones.
@Suite struct SuggestionTests {
  let precisions = ["int8", "int4", "int16x8"]

  @Test func didYouMean() {
    #expect(Suggestion.closest(to: "int7", in: precisions) == "int8")
    #expect(Suggestion.closest(to: "in8t", in: precisions) == "int8")
    #expect(Suggestion.closest(to: "INT4", in: precisions) == "int4")
    #expect(Suggestion.closest(to: "int16x9", in: precisions) == "int16x8")
    #expect(Suggestion.closest(to: "reprot", in: ["report", "export", "seed"]) == "report")
  }

  @Test func nothingCloseMeansNoSuggestion() {
    #expect(Suggestion.closest(to: "float", in: precisions) == nil)
    #expect(Suggestion.closest(to: "x", in: ["y"]) == "y")
    #expect(Suggestion.closest(to: "ab", in: ["xy"]) == nil)
    #expect(Suggestion.closest(to: "int8", in: []) == nil)
  }

  @Test func editDistance() {
    #expect(Suggestion.editDistance("", "") == 0)
    #expect(Suggestion.editDistance("", "abc") == 3)
    #expect(Suggestion.editDistance("kitten", "sitting") == 3)
    #expect(Suggestion.editDistance("in8t", "int8") == 1)
    #expect(Suggestion.editDistance("ab", "ba") == 1)
  }

  @Test func otherwiseAFewKnownNamesAreListed() {
    #expect(Suggestion.listing("target", ["uno", "pico"]) == "known targets: pico, uno")
    #expect(Suggestion.listing("target", []) == nil)
    #expect(Suggestion.listing("model", (1...13).map { "m\($0)" }) == nil)
  }

  @Test func anUnknownTargetListsTheCatalog() throws {
    let session = TestSession()
    try session.run("use targets")
    let failure = try #require(session.failure("target xyzzy"))
    #expect(failure.message == "unknown target 'xyzzy'")
    #expect(failure.hint == "known targets: esp32s3, nano33ble, pico, rpi-zero2, turbo, uno")
  }
}
