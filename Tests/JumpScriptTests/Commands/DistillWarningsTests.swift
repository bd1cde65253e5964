import Foundation
import Synchronization
import Testing

@testable import JumpScript

/// `distill`'s warnings about operational data: too few samples, far from the calibration data, one class.
@Suite struct DistillWarningsTests {
  final class Lines: Sendable {
    let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
  }

  @Test func warnsAboutFewSamplesShiftedStatisticsAndAOneClassTeacher() throws {
    let logged = Lines()
    let interpreter = Interpreter(
      environment: RunEnvironment(stdlibDirectory: Repo.stdlib, log: { logged.append($0) }))
    let data = Repo.path("tutorials/data/operational.npz")
    let script = """
      seed 1
      load "\(Repo.teacher)" as teacher
      dataset operational = "\(data)" limit=30
      dataset dark = "\(data)" scale=1e-9 limit=30
      calibrate on operational
      distill student=mlp hidden=[8] epochs=1 on dark
      """
    let source = SourceFile(name: "warnings.jss", text: script)
    let (program, diagnostics) = interpreter.parse(source)
    #expect(diagnostics.isEmpty)
    for statement in program.statements { _ = try interpreter.execute(statement, in: source) }
    let warnings = logged.all.filter { $0.hasPrefix("distill: warning:") }
    #expect(warnings.contains { $0.contains("has only 30 samples (fewer than 100)") }, "\(warnings)")
    #expect(warnings.contains { $0.contains("differs from the teacher's calibration data 'operational'") })
    #expect(
      warnings.contains { $0.contains("the teacher predicts class") && $0.contains("for 30 of 30 samples") })
  }
}
