import Foundation
import JumpEngine
import Testing
import ZIPFoundation

@Suite struct DatasetNpzStreamingTests {
  let x = Tensor(shape: [300, 3, 4], floats: (0..<3600).map { Float($0 % 251) })

  @Test func storedAndDeflatedMembersReadInAnyOrder() throws {
    for method in [CompressionMethod.none, .deflate] {
      let url = temporaryDirectory().appendingPathComponent("big.npz")
      try npz(["x.npy": npyData(x)], to: url, compression: method)
      let dataset = try Dataset(source: DatasetSource.open(path: url.path)).shuffled(seed: 1)
      let batch = try dataset.batch(100..<160)
      let indices = dataset.sourceIndices(100..<160)
      let all = try #require(x.floats)
      let expected = indices.flatMap { all[$0 * 12..<$0 * 12 + 12] }
      #expect(batch.x.floats == expected)
    }
  }

  @Test func corruptDeflatedMemberFailsTheCRC() throws {
    let url = temporaryDirectory().appendingPathComponent("bad.npz")
    try npz(["x.npy": npyData(x)], to: url, compression: .deflate)
    var bytes = try Data(contentsOf: url)
    // Flip a byte in the middle of the compressed data (well past the header bytes).
    bytes[bytes.count / 2] ^= 0x5A
    try bytes.write(to: url)
    let error = engineError {
      let source = try DatasetSource.open(path: url.path)
      _ = try source.samples(0..<300)
    }
    #expect(error?.kind == .invalidData)
    #expect(error?.message.hasPrefix("\(url.path):x.npy: ") == true)
  }

  @Test func notAnArchive() throws {
    let url = temporaryDirectory().appendingPathComponent("junk.npz")
    try Data(repeating: 7, count: 100).write(to: url)
    #expect(
      engineError { _ = try DatasetSource.open(path: url.path) }?.message
        == "\(url.path): not a readable .npz (ZIP) archive: no end of central directory")
  }

  @Test func numpyZip64ArchivesFromTheTutorial() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    for (name, count) in [("train", 1300), ("operational", 200), ("test", 297)] {
      let path = root.appendingPathComponent("tutorials/data/\(name).npz").path
      let dataset = try Dataset(source: DatasetSource.open(path: path))
      #expect(dataset.count == count)
      #expect(dataset.sampleShape == [1, 32, 32])
      var batches = dataset.batches(size: 128)
      var seen = 0
      while let batch = try batches.next() {
        seen += batch.x.shape[0]
        #expect(batch.x.floats?.allSatisfy { $0 >= 0 && $0 <= 1 } == true)
        if let y = batch.y { #expect(y.asInt64s().allSatisfy { (0..<10).contains($0) }) }
      }
      #expect(seen == count)
      #expect(batches.nonFiniteCount == 0)
    }
  }
}
