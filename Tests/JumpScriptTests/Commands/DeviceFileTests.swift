import Foundation
import Testing

@testable import JumpScript

/// Device descriptions read from JSON (`jumpstation.device/1`): the same rules as the `device`
/// command, and errors that name the file and the field.
@Suite struct DeviceFileTests {
  /// Writes `json` to a fresh file and reads it.
  private func read(_ json: String) throws -> Result<JumpScript.Value, CommandError> {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("box.json").path
    try json.write(toFile: path, atomically: true, encoding: .utf8)
    do { return .success(.target(try DeviceFile.read(path))) } catch { return .failure(error) }
  }

  private func failure(_ json: String) throws -> CommandError {
    guard case .failure(let error) = try read(json) else {
      Issue.record("expected \(json) to be refused")
      return CommandError("")
    }
    return error
  }

  @Test func theExampleDescriptionReadsWithUnitsAndDefaults() throws {
    let device = try DeviceFile.read(Repo.path("docs/examples/sensor-node.device.json"))
    #expect(device.name == "sensor-node")
    #expect(device.ram == 192 * 1024)
    #expect(device.flash == 1024 * 1024)
    #expect(device.clockHz == 80e6)
    #expect(device.runtimeOverhead == 16 * 1024)
    #expect(device.hasFloat)
    #expect(device.weightsInFlash)
    #expect(device.kind == .mcu)
  }

  @Test func numbersAreBytesAndHertz() throws {
    guard
      case .success(.target(let device)) = try read(
        #"{"name": "box", "ram": 65536, "flash": 1048576, "clock": 48000000, "kind": "linux"}"#)
    else {
      Issue.record("expected a device")
      return
    }
    #expect(device.ram == 65536)
    #expect(device.clockHz == 48e6)
    #expect(device.kind == .linux)
    #expect(device.int8MACsPerCycle == 1)
  }

  @Test func aMissingFieldIsNamed() throws {
    let error = try failure(#"{"name": "box", "ram": "64KB", "flash": "1MB"}"#)
    #expect(error.message.hasSuffix("box.json' has no 'clock' (CPU clock)"))
    #expect(error.hint == "a device description needs name, ram, flash and clock")
  }

  @Test func anUnknownFieldGetsASuggestion() throws {
    let error = try failure(#"{"name": "box", "rma": "64KB", "flash": "1MB", "clock": "1MHz"}"#)
    #expect(error.message.hasPrefix("unknown field 'rma' in '"))
    #expect(error.hint == "did you mean 'ram'?")
  }

  @Test func valuesAreCheckedAsTheDeviceCommandChecksThem() throws {
    let unit = try failure(#"{"name": "box", "ram": "64ms", "flash": "1MB", "clock": "1MHz"}"#)
    #expect(unit.message.hasSuffix("box.json: ram must be a size with a unit, such as 264KB"))
    let kind = try failure(
      #"{"name": "box", "ram": "64KB", "flash": "1MB", "clock": "1MHz", "kind": "mcuu"}"#)
    #expect(kind.message.hasSuffix("unknown kind 'mcuu' (expected mcu, linux, npu)"))
    #expect(kind.hint == "did you mean 'mcu'?")
    let flag = try failure(#"{"name": "box", "ram": "64KB", "flash": "1MB", "clock": "1MHz", "fpu": 1}"#)
    #expect(flag.message.contains("fpu"))
    let name = try failure(#"{"name": "my box", "ram": "64KB", "flash": "1MB", "clock": "1MHz"}"#)
    #expect(name.message.hasSuffix("name 'my box' is not a name scripts can write"))
  }

  @Test func aRequirementVectorIsNotADevice() throws {
    let error = try failure(#"{"schema": "jumpstation.requirements/1", "model": "q"}"#)
    #expect(error.message.hasSuffix("is a requirement vector (what a model needs), not a device description"))
    let other = try failure(#"{"schema": "acme/2", "name": "box"}"#)
    #expect(other.message.hasSuffix("has schema 'acme/2', not jumpstation.device/1"))
  }

  @Test func notAnObjectOfScalars() throws {
    #expect(
      try failure("[1, 2]").message.hasSuffix(
        "is not a JSON object of numbers, strings and booleans describing one device"))
    #expect(try failure(#"{"name": {"a": 1}}"#).message.contains("is not a JSON object"))
    #expect(try failure("{").message.contains("is not a JSON object"))
  }
}
