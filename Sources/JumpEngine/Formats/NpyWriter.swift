import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a float32 `.npy` file row block by row block, so outputs of a data set larger than
/// memory can be saved. The file appears under its name only when `finish()` succeeds; until
/// then it is a hidden temporary file beside it, removed if the writer is abandoned.
public final class NpyWriter {
  /// The destination.
  public let url: URL
  /// The shape of the whole array: rows first.
  public let shape: [Int]
  private let temporary: URL
  private var handle: FileHandle?
  private var written = 0
  private var finished = false

  /// Starts a float32 array of `shape` (C order) bound for `url`.
  public init(url: URL, shape: [Int]) throws(EngineError) {
    self.url = url
    self.shape = shape
    let directory = url.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else { throw EngineError.io(url.path, "directory '\(directory.path)' does not exist") }
    temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
    guard FileManager.default.createFile(atPath: temporary.path, contents: NpyWriter.header(shape: shape))
    else {
      throw EngineError.io(url.path, "cannot create a file in '\(directory.path)'")
    }
    do {
      handle = try FileHandle(forWritingTo: temporary)
      try handle?.seekToEnd()
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw EngineError.io(url.path, "cannot write (\(error.localizedDescription))")
    }
  }

  deinit {
    if !finished {
      try? handle?.close()
      try? FileManager.default.removeItem(at: temporary)
    }
  }

  /// The version-1 header for a little-endian float32 C-order array, padded to 64 bytes as numpy does.
  static func header(shape: [Int]) -> Data {
    let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
    var dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
    let unpadded = 10 + dictionary.utf8.count + 1
    dictionary += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var data = Data(NpyHeader.magic + [1, 0])
    let length = UInt16(dictionary.utf8.count)
    data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
    data.append(contentsOf: Array(dictionary.utf8))
    return data
  }

  /// Appends values in C order; the total must not exceed the declared shape.
  public func append(_ values: [Float]) throws(EngineError) {
    guard written + values.count <= Tensor.elementCount(shape) else {
      throw EngineError.io(url.path, "more values than the declared shape \(shape) holds")
    }
    let bytes = values.withUnsafeBufferPointer { Data(buffer: $0) }
    do { try handle?.write(contentsOf: bytes) } catch {
      throw EngineError.io(url.path, "cannot write (\(error.localizedDescription))")
    }
    written += values.count
  }

  /// Checks that every value was written, then moves the file into place.
  public func finish() throws(EngineError) {
    guard written == Tensor.elementCount(shape) else {
      throw EngineError.io(
        url.path, "wrote \(written) values but the shape \(shape) needs \(Tensor.elementCount(shape))")
    }
    do {
      try handle?.synchronize()
      try handle?.close()
    } catch {
      throw EngineError.io(url.path, "cannot write (\(error.localizedDescription))")
    }
    handle = nil
    guard rename(temporary.path, url.path) == 0 else {
      throw EngineError.io(
        url.path, "cannot move the written file into place (\(String(cString: strerror(errno))))")
    }
    finished = true
  }
}
