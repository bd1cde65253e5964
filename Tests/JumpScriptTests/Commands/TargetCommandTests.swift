import Foundation
import Testing

@testable import JumpScript

/// `target NAME` and `target from "box.json"`: a device from a file is declared, selected, and
/// checked against like a catalog device.
@Suite struct TargetCommandTests {
  private let example = Repo.path("docs/examples/sensor-node.device.json")

  @Test func aDescriptionFileDeclaresAndSelectsItsDevice() throws {
    let session = TestSession()
    try session.run("target from \"\(example)\"")
    #expect(session.state.target?.name == "sensor-node")
    #expect(session.printed == ["sensor-node: 192 KB RAM, 1 MB flash, 80 MHz, FPU"])
    // Declared under its name, so it can be selected again and read like any device.
    try session.run("target sensor-node")
    #expect(try session.display("target.ram") == "192 KB")
  }

  @Test func aModelIsCheckedAgainstTheDeviceFromTheFile() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(Repo.path("tutorials/data/operational.npz"))\" limit=16")
    try session.run("target from \"\(example)\"\nquantize int8\nlet r = report")
    #expect(try session.display("r.fits_flash") == "true")
    #expect(try session.display("r.fits_ram") == "false")
    #expect(try session.display("r.fits") == "false")
  }

  @Test func theRequirementVectorListsTheDeviceFromTheFile() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let session = TestSession()
    try session.run("load \"\(Repo.fixture("models/mlp.onnx"))\" as m\ntarget from \"\(example)\"")
    let path = directory.appendingPathComponent("m.onnx").path
    try session.run("export \"\(path)\"")
    let vector = try String(contentsOfFile: path + ".requirements.json", encoding: .utf8)
    #expect(vector.contains(#""devices":[{"device":"sensor-node","#))
  }

  @Test func nameOrFileButNotBothAndNotNeither() throws {
    let session = TestSession()
    try session.run("use targets")
    #expect(
      session.failure("target pico from \"\(example)\"")?.message
        == "give a device name or a description file, not both")
    #expect(session.failure("target")?.message == "target needs a device")
    #expect(session.state.target == nil)
  }

  @Test func checkReadsTheDescriptionAndKnowsItsDevice() throws {
    #expect(check("target from \"\(example)\"\ntarget sensor-node").isEmpty)
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let bad = directory.appendingPathComponent("bad.json").path
    try #"{"name": "box", "ram": "64KB", "flash": "1MB"}"#.write(
      toFile: bad, atomically: true, encoding: .utf8)
    let found = check("target from \"\(bad)\"")
    #expect(found.map(\.message) == ["'\(bad)' has no 'clock' (CPU clock)"])
    #expect(check("target from \"missing.json\"").map(\.message) == ["no such file 'missing.json'"])
  }
}
