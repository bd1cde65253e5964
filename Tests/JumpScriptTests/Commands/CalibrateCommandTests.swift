import Foundation
import JumpEngine
import Testing

@testable import JumpScript

/// A cancellation flag that raises itself after a number of polls (so it fires inside a command).
private final class PollCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var polls = 0
  private let limit: Int

  init(raisingAfter limit: Int) { self.limit = limit }

  func poll() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    polls += 1
    return polls > limit
  }
}

@Suite struct CalibrateCommandTests {
  let operational = Repo.path("tutorials/data/operational.npz")
  let test = Repo.path("tutorials/data/test.npz")

  func session(
    operational declared: Bool = true, isCancelled: @escaping @Sendable () -> Bool = { false }
  )
    throws -> TestSession
  {
    let session = TestSession(isCancelled: isCancelled)
    try session.run("load \"\(Repo.teacher)\" as teacher")
    if declared { try session.run("dataset operational = \"\(operational)\"") }
    return session
  }

  @Test func calibratesOnTheDatasetNamedOperationalByDefault() throws {
    let session = try session()
    try session.run("let c = calibrate samples=32")
    #expect(try session.display("c") == "calibrated teacher on operational: 32 samples, minmax, 14 tensors")
    #expect(try session.display("c.method") == "minmax")
    #expect(try session.display("c.samples") == "32")
    #expect(try session.display("c.tensors") == "14")
    #expect(try session.display("c.dataset") == "operational")
    #expect(try session.display("c.model") == "teacher")
    let stored = try #require(session.state.calibrations["teacher"])
    #expect(stored.calibration.sampleCount == 32)
    #expect(stored.calibration.ranges.count == 14)
  }

  @Test func percentileAndTheOtherMethods() throws {
    let session = try session()
    try session.run("dataset test = \"\(test)\"")
    try session.run("calibrate on test method=percentile percentile=99.99 samples=16")
    #expect(session.printed.last == "calibrated teacher on test: 16 samples, percentile 99.99, 14 tensors")
    try session.run("let p = calibrate percentile=99.9 samples=16")
    #expect(try session.display("p.method") == "percentile")
    #expect(try session.display("p.percentile") == "99.9")
    for method in ["entropy", "mse"] {
      try session.run("let m = calibrate teacher on operational method=\(method) samples=16 bins=512 batch=8")
      #expect(try session.display("m.method") == method)
      #expect(try session.display("m.bins") == "512")
    }
    #expect(session.state.calibrations["teacher"]?.calibration.method == .mse)
  }

  @Test func withoutAnOperationalDatasetTheErrorSaysWhatToDeclare() throws {
    let session = try session(operational: false)
    let failure = try #require(session.failure("calibrate"))
    #expect(
      failure.message
        == "there is no dataset to calibrate on: name one with 'on DATASET' or declare one named 'operational'"
    )
    #expect(failure.hint == "dataset operational = \"path/to/operational.npz\"")
    #expect(session.state.calibrations.isEmpty)
    let noModel = try #require(TestSession().failure("calibrate"))
    #expect(noModel.message == "there is no model to calibrate")
  }

  @Test(arguments: [
    ("percentile=80", "percentile 80 is out of range (expected 90...100)"),
    ("percentile=100.5", "percentile 100.5 is out of range (expected 90...100)"),
    ("samples=0", "samples 0 is out of range (expected 1...2147483647)"),
    ("bins=64", "bins 64 is out of range (expected 128...65536)"),
    ("bins=100000", "bins 100000 is out of range (expected 128...65536)"),
    ("method=kl", "unknown method 'kl' (expected minmax, percentile, entropy, mse)"),
    ("method=entropy percentile=99", "percentile= applies only to method=percentile, not method=entropy"),
  ])
  func optionErrors(option: String, message: String) throws {
    let session = try session()
    let failure = try #require(session.failure("calibrate \(option)"))
    #expect(failure.message == message)
    #expect(session.state.calibrations.isEmpty)
  }

  @Test func dataOfTheWrongShapeNamesTheFileAndKeepsTheEarlierCalibration() throws {
    let session = TestSession()
    let path = Repo.fixture("data/wrong_shape.npz")
    try session.run("dataset odd = \"\(path)\"\nload \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(operational)\"\ncalibrate samples=8")
    let failure = try #require(session.failure("calibrate on odd method=entropy"))
    #expect(failure.message == "\(path): samples are 3×7×7 but the model's input 'input' takes 1×32×32")
    #expect(session.state.calibrations["teacher"]?.calibration.method == .minmax)
    #expect(session.state.calibrations["teacher"]?.calibration.sampleCount == 8)
  }

  @Test func ctrlCStopsWithStatus130AndLeavesTheSessionUnchanged() throws {
    let counter = PollCounter(raisingAfter: 40)
    let session = try session(isCancelled: { counter.poll() })
    let failure = try #require(session.failure("calibrate method=percentile batch=8"))
    #expect(failure.message == "interrupted")
    #expect(failure.exitCode == .interrupted)
    #expect(failure.exitCode.rawValue == 130)
    #expect(session.state.calibrations.isEmpty)
  }

  @Test func reportListsTheRangesOnlyOnceCalibrated() throws {
    let session = try session()
    let before = try session.display("report")
    #expect(!before.contains("calibration"))
    try session.run("let r0 = report")
    #expect(session.failure("r0.calibration") != nil)
    try session.run("calibrate method=percentile samples=32")
    let after = try session.display("report")
    #expect(after.hasPrefix(before + "\n"))
    let lines = after.dropFirst(before.count + 1).split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.first == "  calibration  percentile 99.99 on operational, 32 samples, 14 tensors")
    #expect(lines.dropFirst(2).first?.hasPrefix("  tensor ") == true)
    #expect(
      lines.contains { $0.hasPrefix("  input ") && $0.contains(" 0 ") && $0.contains("percentile 99.99") })
    #expect(lines.count == 3 + 14)
    try session.run("let r = report")
    #expect(try session.display("r.calibration") == "percentile 99.99")
  }

  @Test func theSignatureIsComplete() throws {
    let signature = try #require(CommandRegistry.standard.signature("calibrate"))
    #expect(
      signature.usage
        == "calibrate [MODEL] [on DATASET] [method=minmax] [percentile=99.99] [samples=…] [bins=2048] [batch=64]"
    )
    #expect(check("calibrate method=kl").first?.message.contains("unknown method 'kl'") == true)
    #expect(
      check("calibrate on operational bins=64").contains { $0.message.contains("bins 64 is out of range") })
  }
}
