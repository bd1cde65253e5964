import Testing

@testable import JumpScript

/// `fit TARGET` from stdlib/pipelines.jss: the stages it runs and the reasons it prints.
@Suite struct FitPipelineTests {
  @Test func aBudgetNoStageCanMeetIsSaidPlainly() throws {
    let session = TestSession()
    try session.run("use targets\nuse pipelines\nload \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=16")
    try session.run("fit uno")
    let lines = session.printed.joined(separator: "\n")
    #expect(lines.contains("fit: int8 PTQ of teacher: weights 857 KB (flash 32 KB)"))
    #expect(lines.contains("fit: int8 weights do not fit the flash; int4 weights: 430 KB"))
    #expect(lines.contains("fit: nothing fits uno: even int4 weights take 430 KB (flash 32 KB)"))
    #expect(!lines.contains("it is the working model"))
  }

  @Test func fitNeedsAKnownTarget() throws {
    let session = TestSession()
    try session.run("use targets\nuse pipelines\nload \"\(Repo.teacher)\" as teacher")
    let failure = try #require(session.failure("fit picoo"))
    #expect(failure.message.contains("picoo"))
  }
}
