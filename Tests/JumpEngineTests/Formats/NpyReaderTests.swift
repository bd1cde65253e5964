import Foundation
import JumpEngine
import Testing

@Suite struct NpyReaderTests {
  func write(_ data: Data, _ name: String = "a.npy") throws -> URL {
    let url = temporaryDirectory().appendingPathComponent(name)
    try data.write(to: url)
    return url
  }

  @Test func readsEveryDTypeAndVersion() throws {
    let tensors: [Tensor] = [
      Tensor(shape: [2, 3], floats: [0, 1, 2, 3, 4, 5]),
      Tensor(shape: [2], storage: .float64([0.5, -1])),
      Tensor(shape: [1, 2], int64s: [-3, 9]),
      Tensor(shape: [2], storage: .int32([1, 2])),
      Tensor(shape: [3], storage: .int8([-1, 0, 1])),
      Tensor(shape: [2, 2], storage: .uint8([0, 1, 2, 255])),
      Tensor(shape: [2], storage: .bool([true, false])),
      Tensor(shape: [], floats: [42]),
    ]
    for version: UInt8 in [1, 2, 3] {
      for t in tensors {
        let url = try write(npyData(t, version: version))
        #expect(try NpyReader.read(contentsOf: url) == t)
      }
    }
    let header = try NpyReader.header(contentsOf: try write(npyData(tensors[0])))
    #expect(header.dataOffset % 64 == 0)
    #expect(header.shape == [2, 3])
  }

  @Test func rejectsFortranOrderAndBigEndian() throws {
    let fortran = try write(npyData(descr: "<f4", shape: [2], payload: Data(count: 8), fortran: true))
    let error = engineError { _ = try NpyReader.read(contentsOf: fortran) }
    #expect(error?.kind == .invalidData)
    #expect(error?.message.hasPrefix(fortran.path + ": Fortran-order") == true)
    let big = try write(npyData(descr: ">f4", shape: [2], payload: Data(count: 8)))
    #expect(engineError { _ = try NpyReader.read(contentsOf: big) }?.message.contains("big-endian") == true)
    let half = try write(npyData(descr: "<f2", shape: [2], payload: Data(count: 4)))
    #expect(
      engineError { _ = try NpyReader.read(contentsOf: half) }?.message.contains("unsupported .npy dtype")
        == true)
  }

  @Test func badHeaderAndTruncation() throws {
    let badMagic = try write(Data("not numpy at all".utf8))
    #expect(
      engineError { _ = try NpyReader.read(contentsOf: badMagic) }?.message.contains("bad magic") == true)
    let badDict = try write(
      npyData(descr: "", shape: [], payload: Data(), rawHeader: "{'descr': '<f4', 'shape': (2,)}"))
    let dictError = engineError { _ = try NpyReader.read(contentsOf: badDict) }
    #expect(dictError?.message.contains("bad .npy header: missing 'fortran_order'") == true)
    let garbage = try write(npyData(descr: "", shape: [], payload: Data(), rawHeader: "{'descr' '<f4'"))
    #expect(
      engineError { _ = try NpyReader.read(contentsOf: garbage) }?.message.contains("bad .npy header") == true
    )
    let truncated = try write(npyData(descr: "<f4", shape: [4], payload: Data(count: 12)))
    let error = engineError { _ = try NpyReader.read(contentsOf: truncated) }
    #expect(
      error?.message == "\(truncated.path): truncated data: float32 [4] needs 16 bytes, the file has 12")
    let shortHeader = try write(Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 200, 0, 0x7b]))
    #expect(
      engineError { _ = try NpyReader.read(contentsOf: shortHeader) }?.message.contains(
        "truncated .npy header") == true)
    let missing = engineError { _ = try NpyReader.read(contentsOf: URL(fileURLWithPath: "/nonexistent.npy")) }
    #expect(missing?.kind == .missingInput)
  }
}
