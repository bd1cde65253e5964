import Foundation
import JumpEngine
import Testing
import ZIPFoundation

@Suite struct DatasetSourceTests {
  let x = Tensor(shape: [5, 2, 3], storage: .float64((0..<30).map { Double($0) }))
  let y = Tensor(shape: [5], int64s: [0, 1, 2, 3, 4])

  func npz(_ members: [String: Data], compression: CompressionMethod) throws -> URL {
    let url = temporaryDirectory().appendingPathComponent("data.npz")
    let archive = try Archive(url: url, accessMode: .create)
    for (name, data) in members.sorted(by: { $0.key < $1.key }) {
      try archive.addEntry(
        with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: compression
      ) { position, size in
        data.subdata(in: Int(position)..<Int(position) + size)
      }
    }
    return url
  }

  @Test func npzStoredAndDeflated() throws {
    for method in [CompressionMethod.none, .deflate] {
      let url = try npz(["x.npy": npyData(x), "y.npy": npyData(y)], compression: method)
      let ds = try DatasetSource.open(path: url.path)
      #expect(ds.format == .npz)
      #expect(ds.sampleCount == 5)
      #expect(ds.sampleShape == [2, 3])
      #expect(ds.dtype == .float64)
      #expect(ds.hasLabels)
      #expect(ds.labelCount == 5)
      #expect(ds.labelShape == [])
      let batch = try ds.samples(1..<3)
      #expect(batch.shape == [2, 2, 3])
      #expect(batch.floats == (6..<18).map { Float($0) })
      #expect(try ds.labels(3..<5) == Tensor(shape: [2], int64s: [3, 4]))
    }
  }

  @Test func npzWithoutLabelsAndWrongLabelCount() throws {
    let unlabeled = try DatasetSource.open(path: try npz(["x.npy": npyData(x)], compression: .deflate).path)
    #expect(!unlabeled.hasLabels)
    #expect(engineError { _ = try unlabeled.labels(0..<1) } != nil)
    let wrong = try npz(
      ["x.npy": npyData(x), "y.npy": npyData(Tensor(shape: [4], int64s: [0, 1, 2, 3]))], compression: .none)
    let error = engineError { _ = try DatasetSource.open(path: wrong.path) }
    #expect(error?.kind == .invalidData)
    #expect(error?.message == "\(wrong.path):y.npy: has 4 labels but there are 5 samples")
    let noX = try npz(["y.npy": npyData(y)], compression: .none)
    #expect(
      engineError { _ = try DatasetSource.open(path: noX.path) }?.message.contains("no array 'x'") == true)
  }

  @Test func npyFileReadsByOffsets() throws {
    let url = temporaryDirectory().appendingPathComponent("x.npy")
    try npyData(Tensor(shape: [4, 2], storage: .uint8([0, 1, 2, 3, 4, 5, 6, 7]))).write(to: url)
    let ds = try DatasetSource.open(path: url.path)
    #expect(ds.format == .npy)
    #expect(ds.sampleCount == 4)
    #expect(try ds.samples(2..<4) == Tensor(shape: [2, 2], floats: [4, 5, 6, 7]))
    #expect(engineError { _ = try ds.samples(3..<5) }?.message.contains("out of range") == true)
  }

  @Test func directoryOfSamples() throws {
    let dir = temporaryDirectory()
    for (name, base) in [("b.npy", 10), ("a.npy", 0), ("c.npy", 20)] {
      try npyData(Tensor(shape: [2, 2], floats: (base..<base + 4).map { Float($0) })).write(
        to: dir.appendingPathComponent(name))
    }
    try Data("ignore me".utf8).write(to: dir.appendingPathComponent("README.txt"))
    let ds = try DatasetSource.open(path: dir.path)
    #expect(ds.format == .directory)
    #expect(ds.sampleCount == 3)
    #expect(ds.sampleShape == [2, 2])
    #expect(try ds.samples(0..<3).floats == [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23])
    try npyData(Tensor(shape: [3], floats: [1, 2, 3])).write(to: dir.appendingPathComponent("d.npy"))
    let error = engineError { _ = try DatasetSource.open(path: dir.path) }
    #expect(error?.kind == .invalidData)
    #expect(error?.message.hasPrefix(dir.appendingPathComponent("d.npy").path + ": has float32 [3]") == true)
  }

  @Test func missingPath() {
    let error = engineError { _ = try DatasetSource.open(path: "/nonexistent/data.npz") }
    #expect(error?.kind == .missingInput)
    #expect(error?.message == "/nonexistent/data.npz: dataset not found")
  }
}
