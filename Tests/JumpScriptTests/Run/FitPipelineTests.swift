import Testing

@testable import JumpScript

/// `fit TARGET` from stdlib/pipelines.jss: the stages it runs and the reasons it prints.
@Suite struct FitPipelineTests {
  /// A session with the teacher, a few operational and training samples, and `box`: a device
  /// whose flash holds the teacher's int4 weights but not its int8 ones, with RAM to spare.
  private func session(operational: Int = 16) throws -> TestSession {
    let session = TestSession()
    try session.run("use targets\nuse pipelines\nseed 3\nload \"\(Repo.teacher)\" as teacher")
    try session.run(
      "dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=\(operational)")
    try session.run("dataset train = \"\(Repo.path("tutorials/data/train.npz"))\" limit=32")
    try session.run("dataset test = \"\(Repo.path("tutorials/data/test.npz"))\" limit=32")
    try session.run(
      "device box ram=64MB flash=512KB clock=1GHz int8_macs=1 float_macs=1 fpu=true overhead=0B kind=mcu"
        + " summary=\"test box\"")
    return session
  }

  private func printed(_ session: TestSession) -> String { session.printed.joined(separator: "\n") }

  @Test func aBudgetNoStageCanMeetIsSaidPlainly() throws {
    let session = try session()
    let failure = try #require(session.failure("fit uno distill_epochs=1"))
    let lines = printed(session)
    #expect(lines.contains("fit: int8 PTQ of teacher: weights 857 KB (flash 32 KB)"))
    #expect(lines.contains("fit: int8 weights do not fit the flash; int4 weights: 430 KB"))
    #expect(lines.contains("fit: even int4 weights take 430 KB (flash 32 KB)"))
    #expect(lines.contains("fit: distilling a cnn student from teacher sized for uno (width=auto)"))
    #expect(failure.message.hasPrefix("no width of cnn fits uno: even width 0.25 needs"))
    #expect(!lines.contains("it is the working model"))
    #expect(session.state.model(named: "fit_int8") == nil)
  }

  @Test func fitNeedsAKnownTarget() throws {
    let session = TestSession()
    try session.run("use targets\nuse pipelines\nload \"\(Repo.teacher)\" as teacher")
    let failure = try #require(session.failure("fit picoo"))
    #expect(failure.message.contains("picoo"))
  }

  @Test func unknownOptionsAreNamedWithASuggestion() throws {
    let session = TestSession()
    try session.run("use targets\nuse pipelines\nload \"\(Repo.teacher)\" as teacher")
    let failure = try #require(session.failure("fit pico min_agreemnt=0.9"))
    #expect(failure.message == "unknown option 'min_agreemnt' for 'fit'")
    #expect(failure.hint == "did you mean 'min_agreement'?")
    #expect(session.state.target == nil)
  }

  @Test func int4WeightsWithinTheToleranceNeedNoQAT() throws {
    let session = try session()
    try session.run("fit box")
    let lines = printed(session)
    #expect(lines.contains("fit: int8 weights do not fit the flash; int4 weights: 430 KB"))
    #expect(
      lines.contains("fit: int4 PTQ agreement with teacher 100% on operational (min_agreement 97%): within"))
    #expect(lines.contains("fit: fit_int4 fits box; it is the working model"))
    #expect(session.state.workingModel?.name == "fit_int4")
  }

  @Test func aMissedToleranceRunsQATAndSaysSo() throws {
    let session = try session()
    try session.run("fit box min_agreement=101% qat_epochs=1")
    let lines = printed(session)
    #expect(
      lines.contains(
        "fit: int4 PTQ agreement with teacher 100% on operational (min_agreement 101%): misses the tolerance;"
          + " quantization-aware training 1 epochs on train"))
    #expect(lines.contains("fit: after QAT agreement "))
    #expect(lines.contains("still misses the tolerance; fit_qat is the closest"))
    #expect(session.state.workingModel?.name == "fit_qat")
  }

  @Test func anAccuracyDropToleranceIsMeasuredOnTest() throws {
    let session = try session()
    try session.run("fit box max_drop=-1% qat_epochs=0")
    let lines = printed(session)
    #expect(lines.contains("fit: int4 PTQ accuracy on test "))
    #expect(
      lines.contains("(max_drop -1 points): misses the tolerance; QAT is off (qat_epochs=0), keeping PTQ"))
    #expect(session.state.workingModel?.name == "fit_int4")
  }

  @Test func askedForAStudentItDistillsOneSizedForTheTarget() throws {
    let session = try session(operational: 40)
    try session.run("fit box always_distill=true distill_epochs=1")
    let lines = printed(session)
    #expect(lines.contains("fit: always_distill=true: distilling a cnn student although fit_int4 fits"))
    #expect(lines.contains("width=auto chose 1"))
    #expect(lines.contains("fit: student "))
    #expect(lines.contains("fit: int8 PTQ agreement with fit_student "))
    #expect(lines.contains("fit: fit_student_int8 fits box; it is the working model"))
  }
}
