import Foundation
import JumpEngine
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

/// The options of `dataset`, the second dataset of a split, and bad input through the command.
@Suite struct DatasetCommandOptionTests {
  let train = Repo.path("tutorials/data/train.npz")

  /// Writes float32 `values` of `shape` as a `.npy` file.
  func npy(_ values: [Float], shape: [Int], in directory: URL, name: String = "x.npy") throws -> String {
    var header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape.map(String.init).joined(separator: ", ")
      + (shape.count == 1 ? ",), }" : "), }")
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0])
    data.append(Data(header.utf8))
    data.append(Tensor(shape: shape, floats: values).littleEndianBytes)
    let url = directory.appendingPathComponent(name)
    try data.write(to: url)
    return url.path
  }

  func first(_ session: TestSession, _ name: String) throws -> [Float] {
    let dataset = try #require(session.state.dataset(named: name)).dataset
    return try #require(try dataset.batch(0..<1).x.floats)
  }

  @Test func scaleMeanStdAndLimit() throws {
    let path = try npy((0..<8).map(Float.init), shape: [4, 2], in: makeTemporaryDirectory())
    let session = TestSession()
    try session.run("dataset d = \"\(path)\" scale=0.5 mean=[1] std=[2] limit=3")
    #expect(try session.display("d.samples") == "3")
    #expect(try first(session, "d") == [-0.5, -0.25])
    try session.run("dataset e = \"\(path)\" mean=[1, 2] std=[1, 4]")
    #expect(try first(session, "e") == [-1, -0.25])
    let failure = try #require(session.failure("dataset f = \"\(path)\" mean=[1, 2, 3]"))
    #expect(failure.message.hasPrefix("\(path): mean has 3 values but samples 2 have 2 channels"))
  }

  @Test func splitMakesTwoDisjointDatasets() throws {
    let session = TestSession()
    try session.run("seed 7\ndataset t = \"\(train)\" shuffle=true split=0.8")
    #expect(session.state.datasets.map(\.name) == ["t", "t_rest"])
    #expect(try session.display("t.samples") == "1040")
    #expect(try session.display("t_rest.samples") == "260")
    let a = try #require(session.state.dataset(named: "t")).dataset
    let b = try #require(session.state.dataset(named: "t_rest")).dataset
    let left = a.sourceIndices(0..<a.count)
    let right = b.sourceIndices(0..<b.count)
    #expect(Set(left).isDisjoint(with: right))
    #expect(Set(left + right).count == 1300)
    // The same seed gives the same order; another seed another.
    try session.run("dataset u = \"\(train)\" shuffle=true split=0.8 as val")
    #expect(try #require(session.state.dataset(named: "u")).dataset.sourceIndices(0..<1040) == left)
    #expect(try session.display("val.samples") == "260")
    try session.run("seed 8\ndataset w = \"\(train)\" shuffle=true")
    #expect(try #require(session.state.dataset(named: "w")).dataset.sourceIndices(0..<1040) != left)
  }

  @Test func checkKnowsTheSecondName() throws {
    #expect(check("dataset t = \"\(train)\" split=0.8\nlet n = t_rest.samples").isEmpty)
    #expect(check("dataset t = \"\(train)\" split=0.8 as val\nlet n = val.samples").isEmpty)
    let unknown = check("dataset t = \"\(train)\"\nlet n = t_rest.samples")
    #expect(unknown.count == 1)
    let ranges = check("dataset t = \"\(train)\" split=1.5 layout=nchv limit=0")
    #expect(ranges.map(\.message).contains("split 1.5 is out of range (expected 0.001...0.999)"))
    #expect(
      ranges.contains { $0.message.hasPrefix("unknown layout 'nchv'") && $0.hint == "did you mean 'nchw'?" })
    #expect(ranges.contains { $0.message.hasPrefix("limit 0 is out of range") })
  }

  @Test func asWithoutSplitIsAnError() throws {
    let session = TestSession()
    let failure = try #require(session.failure("dataset t = \"\(train)\" as val"))
    #expect(failure.message == "'as' names the second part of a split, but there is no split")
    #expect(session.state.datasets.isEmpty)
  }

  @Test func shapeCheckAppliesAfterLayoutConversion() throws {
    let path = try npy(
      Array(repeating: 0.5, count: 2 * 32 * 32), shape: [2, 32, 32, 1], in: makeTemporaryDirectory())
    let session = TestSession()
    try session.run("load \"\(Repo.teacher)\" as teacher")
    let failure = try #require(session.failure("dataset d = \"\(path)\""))
    #expect(failure.message == "'\(path)': samples are 32×32×1 but model 'teacher' takes 1×32×32")
    #expect(failure.hint == "the data looks channels-last (NHWC); add layout=nhwc")
    try session.run("dataset d = \"\(path)\" layout=nhwc")
    #expect(try session.display("d.shape") == "[1, 32, 32]")
  }

  @Test func nonFiniteValuesWarnOnceWithTheCount() throws {
    let path = try npy([1, .nan, .infinity, 2, .nan, 3], shape: [3, 2], in: makeTemporaryDirectory())
    let lines = LockedLines()
    let interpreter = Interpreter(
      environment: RunEnvironment(stdlibDirectory: Repo.stdlib, log: { lines.append($0) }))
    let source = SourceFile(name: "t.jss", text: "dataset d = \"\(path)\" split=0.5")
    for statement in interpreter.parse(source).program.statements {
      try interpreter.execute(statement, in: source)
    }
    #expect(lines.all == ["warning: '\(path)': 3 NaN or infinite values in the samples"])
  }

  @Test func pngClassFoldersAndACorruptImage() throws {
    let root = try makeTemporaryDirectory()
    for (folder, name) in [("b", "1.png"), ("a", "2.png"), ("a", "3.png")] {
      let dir = root.appendingPathComponent(folder)
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      try tinyGrayPNG().write(to: dir.appendingPathComponent(name))
    }
    let session = TestSession()
    try session.run("dataset d = \"\(root.path)\" scale=1/255")
    #expect(session.printed.last == "d: 3 samples of 1×1×1 uint8, labels (2 classes)")
    #expect(try session.display("d.classes") == "[\"a\", \"b\"]")
    #expect(try abs(first(session, "d")[0] - 200 / 255) < 1e-6)
    var corrupt = tinyGrayPNG()
    corrupt[corrupt.count - 14] ^= 1  // the IDAT CRC
    let bad = root.appendingPathComponent("b/1.png")
    try corrupt.write(to: bad)
    let failure = try #require(session.failure("dataset e = \"\(root.path)\""))
    #expect(failure.message == "\(bad.path): corrupt PNG image: CRC mismatch in chunk IDAT")
    #expect(session.state.dataset(named: "e") == nil)
  }

  @Test func helpDocumentsTheOptionsAndTheSecondName() {
    let help = DatasetCommand.signature.helpText
    for option in ["scale=", "mean=", "std=", "layout=", "limit=", "shuffle=", "split="] {
      #expect(help.contains("\n  \(option)"))
    }
    #expect(help.contains("NAME_rest"))
    #expect(help.contains("as REST"))
  }

  /// The CRC-32 of PNG and ZIP (reflected polynomial 0xEDB88320), bit by bit.
  func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }

  /// A 1×1 8-bit gray PNG of value 200 in a stored DEFLATE block.
  func tinyGrayPNG() -> Data {
    func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
      let typed = Array(type.utf8) + body
      let crc = crc32(typed)
      return be(UInt32(body.count)) + typed + be(crc)
    }
    func be(_ v: UInt32) -> [UInt8] {
      [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
    let raw: [UInt8] = [0, 200]  // filter None, one pixel
    let adler = be(202 << 16 | 201)  // Adler-32 of [0, 200]
    let zlib: [UInt8] = [0x78, 0x01, 1, 2, 0, 0xFD, 0xFF] + raw + adler
    let ihdr = be(1) + be(1) + [8, 0, 0, 0, 0]
    return Data(
      [137, 80, 78, 71, 13, 10, 26, 10] + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", []))
  }
}

/// Log lines collected from a `@Sendable` closure.
final class LockedLines: @unchecked Sendable {
  private let lock = NSLock()
  private var lines: [String] = []

  func append(_ line: String) { lock.withLock { lines.append(line) } }

  var all: [String] { lock.withLock { lines } }
}
