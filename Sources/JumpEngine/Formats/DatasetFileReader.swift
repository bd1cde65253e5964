import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Positioned reads from files, without loading them whole.
///
/// Every read opens the file, reads with `pread` and closes it again, so a dataset of thousands of files
/// never holds thousands of descriptors; ``DatasetScratchFile`` keeps one descriptor for its lifetime.
enum DatasetFileReader {
  /// Reads exactly `count` bytes at `offset` of the file at `path`.
  ///
  /// Throws `missingInput` when the file cannot be opened and `invalidData` (labelled `label`) when it
  /// ends before `offset + count`.
  static func read(path: String, offset: Int, count: Int, label: String? = nil) throws(EngineError) -> Data {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw EngineError.missingInput(path) }
    defer { close(descriptor) }
    return try read(descriptor: descriptor, offset: offset, count: count, label: label ?? path)
  }

  /// Reads exactly `count` bytes at `offset` from an open descriptor.
  static func read(descriptor: Int32, offset: Int, count: Int, label: String) throws(EngineError) -> Data {
    var data = Data(count: count)
    var done = 0
    var failure: Int32 = 0
    data.withUnsafeMutableBytes { buffer in
      guard let base = buffer.baseAddress else { return }
      while done < count {
        let n = pread(descriptor, base + done, count - done, off_t(offset + done))
        if n < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        if n == 0 { return }
        done += n
      }
    }
    if failure != 0 {
      throw EngineError.io(label, "read failed (\(String(cString: strerror(failure))))")
    }
    guard done == count else {
      throw EngineError.invalidData(
        label, "truncated: needs \(offset + count) bytes, the file has \(offset + done)")
    }
    return data
  }

  /// Reads up to `count` bytes at `offset`; fewer when the file ends first.
  static func readUpTo(path: String, offset: Int, count: Int) throws(EngineError) -> Data {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw EngineError.missingInput(path) }
    defer { close(descriptor) }
    var data = Data(count: count)
    var done = 0
    data.withUnsafeMutableBytes { buffer in
      guard let base = buffer.baseAddress else { return }
      while done < count {
        let n = pread(descriptor, base + done, count - done, off_t(offset + done))
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        done += n
      }
    }
    data.count = done
    return data
  }

  /// The size of the file at `path` in bytes.
  static func size(path: String) throws(EngineError) -> Int {
    var info = stat()
    guard stat(path, &info) == 0 else { throw EngineError.missingInput(path) }
    return Int(info.st_size)
  }

  /// The whole file at `path` (for small files such as PNG images and label lists).
  static func contents(path: String) throws(EngineError) -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw EngineError.missingInput(path)
    }
    return data
  }
}

/// An anonymous temporary file: created, unlinked at once, and read by offset until released.
///
/// Because the name is removed immediately, the operating system reclaims the space when the last
/// reference goes away or the process ends, however it ends.
final class DatasetScratchFile: @unchecked Sendable {
  private let descriptor: Int32
  /// The number of bytes written so far.
  private(set) var size = 0

  /// Creates an empty scratch file in the system temporary directory.
  init(label: String) throws(EngineError) {
    let directory = FileManager.default.temporaryDirectory.path
    var template = Array("\(directory)/jumpstation-data-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
      guard let base = buffer.baseAddress else { return -1 }
      return mkstemp(base)
    }
    guard fd >= 0 else {
      throw EngineError.io(label, "cannot create a temporary file in \(directory) to extract into")
    }
    template.withUnsafeBufferPointer { buffer in
      if let base = buffer.baseAddress { _ = unlink(base) }
    }
    descriptor = fd
  }

  deinit { close(descriptor) }

  /// Appends bytes at the end.
  func append(_ data: Data, label: String) throws(EngineError) {
    var failure: Int32 = 0
    data.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return }
      var done = 0
      while done < buffer.count {
        let n = pwrite(descriptor, base + done, buffer.count - done, off_t(size + done))
        if n < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        done += n
      }
    }
    if failure != 0 {
      throw EngineError.io(label, "cannot write the extracted data (\(String(cString: strerror(failure))))")
    }
    size += data.count
  }

  /// Reads exactly `count` bytes at `offset`.
  func read(offset: Int, count: Int, label: String) throws(EngineError) -> Data {
    try DatasetFileReader.read(descriptor: descriptor, offset: offset, count: count, label: label)
  }
}
