import Foundation
import JumpEngine
import Testing

@Suite struct DatasetImageDirectoryTests {
  /// A 1×2×2 gray PNG whose four pixels are `value`, `value + 1`, ...
  func gray(_ value: UInt8) -> Data {
    pngData(channels: 1, width: 2, height: 2, pixels: [value, value + 1, value + 2, value + 3], filters: [1])
  }

  func write(_ data: Data, _ url: URL) throws {
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try data.write(to: url)
  }

  @Test func classSubfoldersSortedByName() throws {
    let root = temporaryDirectory()
    try write(gray(0), root.appendingPathComponent("dog/b.png"))
    try write(gray(10), root.appendingPathComponent("dog/a.png"))
    try write(gray(20), root.appendingPathComponent("cat/z.png"))
    try write(gray(30), root.appendingPathComponent("emu/x.png"))
    let source = try DatasetSource.open(path: root.path)
    #expect(source.format == .images)
    #expect(source.classes == ["cat", "dog", "emu"])
    #expect(source.sampleCount == 4)
    #expect(source.sampleShape == [1, 2, 2])
    #expect(source.dtype == .uint8)
    #expect(try source.labels(0..<4) == Tensor(shape: [4], int64s: [0, 1, 1, 2]))
    #expect(try source.samples(0..<2).floats == [20, 21, 22, 23, 10, 11, 12, 13])
  }

  @Test func flatDirectoryWithNumericLabelsCSV() throws {
    let root = temporaryDirectory()
    for (name, value) in [("b.png", UInt8(4)), ("a.png", 0), ("c.png", 8)] {
      try write(gray(value), root.appendingPathComponent(name))
    }
    try Data("filename,label\n# comment\na.png,2\n\nb.png, 0\nc.png,1\n".utf8).write(
      to: root.appendingPathComponent("labels.csv"))
    let source = try DatasetSource.open(path: root.path)
    #expect(source.classes == nil)
    #expect(try source.labels(0..<3) == Tensor(shape: [3], int64s: [2, 0, 1]))
    #expect(try source.samples(1..<2).floats == [4, 5, 6, 7])
  }

  @Test func labelsTextWithClassNames() throws {
    let root = temporaryDirectory()
    for name in ["1.png", "2.png", "3.png"] { try write(gray(1), root.appendingPathComponent(name)) }
    try Data("1.png zebra\n2.png\tant\n3.png zebra\n".utf8).write(
      to: root.appendingPathComponent("labels.txt"))
    let source = try DatasetSource.open(path: root.path)
    #expect(source.classes == ["ant", "zebra"])
    #expect(try source.labels(0..<3).asInt64s() == [1, 0, 1])
  }

  @Test func unlabelledImagesAndNpyDirectoryWithLabels() throws {
    let root = temporaryDirectory()
    try write(gray(1), root.appendingPathComponent("only.png"))
    #expect(try !DatasetSource.open(path: root.path).hasLabels)
    let arrays = temporaryDirectory()
    for (index, name) in ["s0.npy", "s1.npy"].enumerated() {
      try npyData(Tensor(shape: [2], floats: [Float(index), 9])).write(
        to: arrays.appendingPathComponent(name))
    }
    try Data("s0.npy,1\ns1.npy,0\n".utf8).write(to: arrays.appendingPathComponent("labels.csv"))
    let source = try DatasetSource.open(path: arrays.path)
    #expect(source.format == .directory)
    #expect(try source.labels(0..<2).asInt64s() == [1, 0])
  }

  func failure(_ root: URL) -> EngineError? {
    engineError { _ = try DatasetSource.open(path: root.path) }
  }

  @Test func labelsOfTheWrongLength() throws {
    let root = temporaryDirectory()
    for name in ["a.png", "b.png"] { try write(gray(1), root.appendingPathComponent(name)) }
    let labels = root.appendingPathComponent("labels.csv")
    try Data("a.png,0\n".utf8).write(to: labels)
    #expect(
      failure(root)?.message == "\(labels.path): has 1 labels but there are 2 samples (no label for 'b.png')")
    try Data("a.png,0\nb.png,1\nc.png,1\n".utf8).write(to: labels)
    #expect(failure(root)?.message.hasPrefix("\(labels.path): has a label for 'c.png'") == true)
    try Data("a.png,0\na.png,1\n".utf8).write(to: labels)
    #expect(failure(root)?.message == "\(labels.path): line 2: 'a.png' already has a label on line 1")
    try Data("a.png\n".utf8).write(to: labels)
    #expect(failure(root)?.message.hasPrefix("\(labels.path): line 1: expected 'filename,label'") == true)
  }

  @Test func emptyAndMixedDirectories() throws {
    let empty = temporaryDirectory()
    #expect(failure(empty)?.message.hasPrefix("\(empty.path): empty dataset") == true)
    let emptyClass = temporaryDirectory()
    try write(gray(1), emptyClass.appendingPathComponent("cat/a.png"))
    try FileManager.default.createDirectory(
      at: emptyClass.appendingPathComponent("dog"), withIntermediateDirectories: true)
    #expect(
      failure(emptyClass)?.message.hasPrefix(
        emptyClass.appendingPathComponent("dog").path + ": empty class folder") == true)
    let mixed = temporaryDirectory()
    try write(gray(1), mixed.appendingPathComponent("a.png"))
    try npyData(Tensor(shape: [1], floats: [1])).write(to: mixed.appendingPathComponent("b.npy"))
    #expect(failure(mixed)?.message.contains("mixes .png and .npy") == true)
  }

  @Test func imagesOfDifferentSizesOrKinds() throws {
    let root = temporaryDirectory()
    try write(gray(1), root.appendingPathComponent("a.png"))
    try write(
      pngData(channels: 1, width: 3, height: 2, pixels: Array(repeating: 0, count: 6)),
      root.appendingPathComponent("b.png"))
    let b = root.appendingPathComponent("b.png").path
    let a = root.appendingPathComponent("a.png").path
    #expect(
      failure(root)?.message == "\(b): images differ in size: this one is 3×2 gray but \(a) is 2×2 gray")
    try write(
      pngData(channels: 3, width: 2, height: 2, pixels: Array(repeating: 0, count: 12)),
      root.appendingPathComponent("b.png"))
    #expect(failure(root)?.message == "\(b): images differ in size: this one is 2×2 RGB but \(a) is 2×2 gray")
  }

  @Test func corruptImagesNameTheFile() throws {
    let root = temporaryDirectory()
    try write(gray(1), root.appendingPathComponent("ok/a.png"))
    let bad = root.appendingPathComponent("ok/b.png")
    try write(Data("GIF89a not a png at all, sorry".utf8), bad)
    #expect(failure(root)?.message == "\(bad.path): not a PNG image (bad signature)")
    // A corrupt body is found when the samples are read (or scanned), still naming the file.
    var body = gray(5)
    body[body.count - 20] ^= 0xFF
    try write(body, bad)
    let source = try DatasetSource.open(path: root.path)
    let error = engineError { _ = try source.samples(0..<2) }
    #expect(error?.message == "\(bad.path): corrupt PNG image: CRC mismatch in chunk IDAT")
    let scan = engineError { _ = try Dataset(source: source).countNonFinite() }
    #expect(scan?.message == error?.message)
  }
}
