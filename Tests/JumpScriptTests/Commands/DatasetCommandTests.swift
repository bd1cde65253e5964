import Testing

@testable import JumpScript

@Suite struct DatasetCommandTests {
  let operational = Repo.path("tutorials/data/operational.npz")
  let train = Repo.path("tutorials/data/train.npz")

  @Test func declaresDatasetsWithTheirFields() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    try session.run("dataset operational = \"\(operational)\"\ndataset train = \"\(train)\"")
    #expect(session.state.datasets.map(\.name) == ["operational", "train"])
    #expect(session.printed.last == "train: 1300 samples of 1×32×32 float32, labels")
    #expect(try session.display("operational") == "operational: 200 samples of 1×32×32 float32, no labels")
    #expect(try session.display("operational.samples") == "200")
    #expect(try session.display("operational.shape") == "[1, 32, 32]")
    #expect(try session.display("operational.labels") == "false")
    #expect(try session.display("train.labels") == "true")
    #expect(try session.display("train.dtype") == "float32")
    #expect(try session.display("train.path") == train)
    #expect(try session.display("train.name") == "train")
  }

  @Test func fixtureFilesWithoutAModel() throws {
    let session = TestSession()
    try session.run("dataset good = \"\(Repo.fixture("data/good.npy"))\"")
    #expect(try session.display("good") == "good: 4 samples of 1×8×8 float32, no labels")
    // Without a model there is nothing to compare shapes with.
    try session.run("dataset odd = \"\(Repo.fixture("data/wrong_shape.npz"))\"")
    #expect(try session.display("odd.shape") == "[3, 7, 7]")
  }

  @Test func wrongShapeAfterLoadingTheTeacherNamesBothShapes() throws {
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    let path = Repo.fixture("data/wrong_shape.npz")
    let failure = try #require(session.failure("dataset odd = \"\(path)\""))
    #expect(failure.message == "'\(path)': samples are 3×7×7 but model 'teacher' takes 1×32×32")
    #expect(failure.location == Location(line: 1, column: 15))
    #expect(session.state.datasets.isEmpty)
  }

  @Test func labelsThatDoNotMatchTheSamples() throws {
    let path = Repo.fixture("data/labels_mismatch.npz")
    let failure = try #require(TestSession().failure("dataset d = \"\(path)\""))
    #expect(failure.message.contains(path))
    #expect(failure.message.contains("4 labels"))
    #expect(failure.message.contains("5 samples"))
  }

  @Test(arguments: ["bad_header.npy", "fortran.npy"])
  func malformedArraysAreRejected(file: String) throws {
    let path = Repo.fixture("data/" + file)
    let session = TestSession()
    let failure = try #require(session.failure("dataset d = \"\(path)\""))
    #expect(failure.message.hasPrefix(path + ": "))
    #expect(!failure.message.contains("\n"))
    #expect(failure.exitCode == .failure)
    #expect(session.state.datasets.isEmpty)
  }

  @Test func aMissingFileFailsWithStatus66() throws {
    let failure = try #require(TestSession().failure("dataset d = \"/no/such/data.npz\""))
    #expect(failure.exitCode == .noInput)
    #expect(failure.message.contains("/no/such/data.npz"))
  }

  @Test func redeclaringReplaces() throws {
    let session = TestSession()
    try session.run("dataset d = \"\(operational)\"\ndataset d = \"\(train)\"")
    #expect(session.state.datasets.map(\.name) == ["d"])
    #expect(try session.display("d.samples") == "1300")
  }
}
