import Foundation
import JumpEngine
import Testing

@testable import JumpScript

/// `report memory` and the RAM and latency lines of `report`.
@Suite struct ReportMemoryTests {
  // The teacher's first two convolutions write 112 x 32 x 32 and 224 x 32 x 32 int8 activations; both are
  // live while the second runs, and nothing else is, so TFLite Micro's arena is exactly their sum.
  let teacherArena = 112 * 32 * 32 + 224 * 32 * 32

  func quantizedTeacher() throws -> TestSession {
    let session = TestSession()
    try session.run("use targets\ntarget pico\nload \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=16")
    try session.run("calibrate on operational\nquantize int8")
    return session
  }

  @Test func memoryFieldsAreReadableFromScripts() throws {
    let session = try quantizedTeacher()
    try session.run("let m = report memory")
    #expect(try session.display("m.arena == \(teacherArena)B") == "true")
    #expect(try session.display("m.overhead == 4KB") == "true")
    #expect(try session.display("m.tail > 4KB and m.tail < 16KB") == "true")
    #expect(try session.display("m.tflm_arena == m.arena + m.tail") == "true")
    #expect(try session.display("m.peak_ram == m.arena + m.tail + m.overhead") == "true")
    // TFLite Micro's Python interpreter (a 64-bit build) keeps a larger tail: wider pointers.
    try session.run("let host = report memory pointer_bits=64")
    #expect(try session.display("host.tail > m.tail and host.arena == m.arena") == "true")
    #expect(
      session.failure("report memory pointer_bits=48")?.message == "pointer_bits must be 32 or 64, got 48")
    #expect(try session.display("m.fits_ram") == "false")
    #expect(try session.display("m.peak_op") == "1")
    #expect(try session.display("m.peak_op_name") == "CONV_2D")
    #expect(try session.display("m.live_at_peak.count") == "2")
    let ops = try #require(session.state.model(named: "teacher_int8")?.quantized?.graph.nodes.count)
    #expect(try session.display("m.timeline.count") == String(ops))
    #expect(try session.display("m.peak_ram > target.ram") == "true")
  }

  @Test func memoryTextShowsThePeakTheLiveTensorsAndATimeline() throws {
    let session = try quantizedTeacher()
    let text = try session.display("report memory")
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines[0].hasPrefix("memory plan of teacher_int8: TFLite Micro arena over the exported file's"))
    #expect(lines[1].hasPrefix("  arena     344,064 B (336 KB) planned greedily"))
    #expect(
      lines[2].hasPrefix(
        "  tail      7,608 B persistent (tensor and node structs, op data; estimated for 32-bit"))
    #expect(lines[2].hasSuffix("give the interpreter an arena of 351,672 B"))
    #expect(lines[3] == "  peak RAM  347 KB = arena + tail + 4 KB runtime overhead (pico)")
    #expect(lines[4].hasPrefix("  peak at   op 1 CONV_2D -> "))
    #expect(text.contains("  target    pico: peak RAM 347 KB vs 264 KB RAM: does not fit (83 KB over)"))
    #expect(text.contains("arena use per op (live bytes; bar to the arena size):"))
    #expect(lines.contains { $0.hasSuffix("######################## peak") })
  }

  @Test func theSummaryReportShowsPeakRAMAndALatencyEstimate() throws {
    let session = try quantizedTeacher()
    try session.run("let r = report")
    try session.run("let m = report memory")
    #expect(try session.display("r.peak_ram == m.peak_ram") == "true")
    #expect(try session.display("r.fits_ram") == "false")
    let text = try session.display("report")
    #expect(text.contains("  target  pico: peak RAM 347 KB vs 264 KB RAM: does not fit (83 KB over)"))
    #expect(text.contains("per sample on pico (estimate from MACs, bytes and the catalog's throughput)"))
    #expect(try session.display("r.latency > 0s") == "true")
  }

  @Test func floatModelsArePlannedAsFloatFilesAndModelsCanBeNamed() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher\nload \"\(Repo.fixture("models/mlp.onnx"))\"")
    try session.run("let m = report memory teacher")
    #expect(try session.display("m.model") == "teacher")
    // float32 activations: four times the int8 arena.
    #expect(try session.display("m.arena == \(4 * teacherArena)B") == "true")
    #expect(try session.display("m.overhead") == "0 B")
    #expect(try session.display("report teacher").hasPrefix("teacher (fp32"))
  }

  @Test func checkAcceptsTheMemorySection() {
    #expect(check("report memory\nreport memory io=float\nreport").isEmpty)
    let problems = check("report memory io=int7")
    #expect(problems.first?.message.contains("io") == true)
  }
}
