import Foundation
import JumpEngine
import Testing

@testable import JumpScript

@Suite struct LoadCommandTests {
  @Test func loadsTheTeacherAsTheWorkingModel() throws {
    let session = TestSession()
    let value = try session.run("load \"\(Repo.teacher)\" as teacher")
    guard case .model(let model) = value else {
      Issue.record("load returned \(value.typeName)")
      return
    }
    #expect(model.name == "teacher")
    #expect(session.state.workingModel?.name == "teacher")
    #expect(session.printed.count == 1)
    #expect(session.printed[0].hasPrefix("teacher: 13 nodes, 0.87 M params, fp32, "))
    #expect(model.lineage == ["load teacher.onnx"])
  }

  @Test func theDefaultNameIsTheFileStem() throws {
    let session = TestSession()
    try session.run(
      "load \"\(Repo.fixture("models/mlp.onnx"))\"\nload \"\(Repo.fixture("models/mlp.onnx"))\"")
    #expect(session.state.models.map(\.name) == ["mlp", "mlp_2"])
    #expect(session.state.workingModel?.name == "mlp_2")
    #expect(LoadCommand.defaultName(for: URL(fileURLWithPath: "/x/mnv3-block.v2.onnx")) == "mnv3_block_v2")
    #expect(LoadCommand.defaultName(for: URL(fileURLWithPath: "/x/3layer.onnx")) == "model_3layer")
  }

  @Test func aCorrectPinLoads() throws {
    let digest = try FileDigest.sha256(of: URL(fileURLWithPath: Repo.teacher))
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" sha256:\(digest) as teacher")
    #expect(session.state.model(named: "teacher") != nil)
    // Pins are case-insensitive.
    try session.run("load \"\(Repo.teacher)\" sha256:\(digest.uppercased()) as again")
    #expect(session.state.model(named: "again") != nil)
  }

  @Test func aWrongPinFailsWithStatus66() throws {
    let wrong = String(repeating: "0", count: 64)
    let session = TestSession()
    let failure = try #require(session.failure("load \"\(Repo.teacher)\" sha256:\(wrong)"))
    #expect(failure.exitCode == .noInput)
    #expect(failure.exitCode.rawValue == 66)
    #expect(failure.message.contains("but the script pins \(wrong)"))
    #expect(failure.message.contains(Repo.teacher))
    #expect(failure.hint != nil)
    #expect(failure.location == Location(line: 1, column: 6))
    #expect(session.state.models.isEmpty)
  }

  @Test func aMissingFileFailsWithStatus66() throws {
    let failure = try #require(TestSession().failure("load \"/no/such/model.onnx\""))
    #expect(failure.message == "no such file '/no/such/model.onnx'")
    #expect(failure.exitCode == .noInput)
  }

  @Test(arguments: [
    ("truncated.onnx", ["not a valid ONNX model"]),
    ("garbage.onnx", ["not a valid ONNX model"]),
    ("unknown_op.onnx", ["mystery_node", "Einsum"]),
  ])
  func malformedModelsGiveAClearOneLineError(file: String, mentions: [String]) throws {
    let path = Repo.fixture("models/" + file)
    let session = TestSession()
    let failure = try #require(session.failure("load \"\(path)\""))
    #expect(failure.message.contains(path), "the message names the file")
    for word in mentions { #expect(failure.message.contains(word)) }
    #expect(!failure.message.contains("\n"))
    #expect(failure.exitCode == .failure)
    #expect(failure.location == Location(line: 1, column: 6))
    #expect(session.state.models.isEmpty)
  }

  @Test func onlyOnnxFilesAreAccepted() throws {
    let failure = try #require(TestSession().failure("load \"\(Repo.fixture("data/good.npy"))\""))
    #expect(failure.message.hasSuffix("must end in .onnx"))
  }
}
