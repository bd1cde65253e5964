import Foundation
import ZIPFoundation

/// One `.npy` array on disk, alone or as a member of an `.npz` archive, read by element ranges.
///
/// A plain `.npy` file is read with file offsets, so only the requested elements are loaded. An `.npz`
/// member's header is read at open; its data is extracted (decompressed) on the first read and kept.
struct NpyArraySource: Sendable {
  /// Where the array's bytes are.
  enum Location: Sendable {
    case file(URL)
    case zipMember(NpzMember)
  }

  /// The location of the bytes.
  let location: Location
  /// The parsed header.
  let header: NpyHeader
  /// The name used in messages (`data/x.npy` or `data.npz:x.npy`).
  let label: String

  /// Opens a `.npy` file, reading only its header and checking the file is long enough.
  static func open(file url: URL) throws(EngineError) -> NpyArraySource {
    let path = url.path
    guard let handle = FileHandle(forReadingAtPath: path) else { throw EngineError.missingInput(path) }
    defer { try? handle.close() }
    do {
      let prefix = try handle.read(upToCount: 12) ?? Data()
      guard let end = NpyHeader.headerEnd(prefix) else {
        _ = try NpyHeader.parse(prefix, path: path)
        throw EngineError.invalidData(path, "not a .npy file")
      }
      try handle.seek(toOffset: 0)
      let headerBytes = try handle.read(upToCount: end) ?? Data()
      let header = try NpyHeader.parse(headerBytes, path: path)
      let size = Int(try handle.seekToEnd())
      guard size >= header.dataOffset + header.byteCount else {
        throw EngineError.invalidData(
          path,
          "truncated data: \(header.dtype) \(header.shape) needs \(header.byteCount) bytes, the file has \(max(0, size - header.dataOffset))"
        )
      }
      return NpyArraySource(location: .file(url), header: header, label: path)
    } catch let error as EngineError {
      throw error
    } catch {
      throw EngineError.io(path, "read failed (\(error.localizedDescription))")
    }
  }

  /// Opens member `name` of an `.npz` archive, extracting only as much as the header needs.
  static func open(member name: String, of url: URL) throws(EngineError) -> NpyArraySource? {
    let member = NpzMember(archive: url, name: name)
    let label = "\(url.path):\(name)"
    guard let size = try member.uncompressedSize() else { return nil }
    let prefix = try member.prefix(12)
    guard let end = NpyHeader.headerEnd(prefix) else {
      _ = try NpyHeader.parse(prefix, path: label)
      throw EngineError.invalidData(label, "not a .npy member")
    }
    let header = try NpyHeader.parse(try member.prefix(end), path: label)
    guard size >= header.dataOffset + header.byteCount else {
      throw EngineError.invalidData(
        label, "truncated data: \(header.dtype) \(header.shape) needs \(header.byteCount) bytes")
    }
    return NpyArraySource(location: .zipMember(member), header: header, label: label)
  }

  /// The bytes of elements `range` (flat indices), little-endian.
  func bytes(elements range: Range<Int>) throws(EngineError) -> Data {
    let size = header.dtype.byteSize
    let offset = header.dataOffset + range.lowerBound * size
    let length = range.count * size
    switch location {
    case .file(let url):
      guard let handle = FileHandle(forReadingAtPath: url.path) else {
        throw EngineError.missingInput(url.path)
      }
      defer { try? handle.close() }
      do {
        try handle.seek(toOffset: UInt64(offset))
        let data = try handle.read(upToCount: length) ?? Data()
        guard data.count == length else { throw EngineError.invalidData(label, "truncated data") }
        return data
      } catch let error as EngineError {
        throw error
      } catch {
        throw EngineError.io(label, "read failed (\(error.localizedDescription))")
      }
    case .zipMember(let member):
      let all = try member.contents()
      guard all.count >= offset + length else { throw EngineError.invalidData(label, "truncated data") }
      return all.subdata(in: all.startIndex + offset..<all.startIndex + offset + length)
    }
  }

  /// Reads elements `range` as a tensor of the array's dtype with the given shape.
  func tensor(elements range: Range<Int>, shape: [Int]) throws(EngineError) -> Tensor {
    do {
      return try Tensor(shape: shape, dtype: header.dtype, littleEndianBytes: try bytes(elements: range))
    } catch {
      throw error.inFile(label)
    }
  }
}

/// A member of a ZIP archive whose contents are extracted on first use and then kept.
final class NpzMember: @unchecked Sendable {
  /// The archive file.
  let archive: URL
  /// The member's path inside the archive.
  let name: String
  private let lock = NSLock()
  private var cached: Data?

  /// Creates a handle; nothing is read yet.
  init(archive: URL, name: String) {
    self.archive = archive
    self.name = name
  }

  private var label: String { "\(archive.path):\(name)" }

  private func openArchive() throws(EngineError) -> Archive {
    do {
      return try Archive(url: archive, accessMode: .read)
    } catch {
      throw EngineError.invalidData(archive.path, "not a readable .npz (ZIP) archive")
    }
  }

  /// The member's uncompressed size, or nil if the archive has no such member.
  func uncompressedSize() throws(EngineError) -> Int? {
    guard let entry = try openArchive()[name] else { return nil }
    return Int(entry.uncompressedSize)
  }

  /// The first `count` bytes of the member (or fewer if it is shorter), decompressing no more than needed.
  func prefix(_ count: Int) throws(EngineError) -> Data {
    if let data = lock.withLock({ cached }) { return data.prefix(count) }
    let archive = try openArchive()
    guard let entry = archive[name] else { throw EngineError.invalidData(label, "member missing") }
    struct Enough: Error {}
    var collected = Data()
    do {
      _ = try archive.extract(entry, bufferSize: 16_384, skipCRC32: true) { chunk in
        collected.append(chunk)
        if collected.count >= count { throw Enough() }
      }
    } catch is Enough {
    } catch {
      throw EngineError.invalidData(label, "cannot extract (\(error))")
    }
    return collected.prefix(count)
  }

  /// The whole member, extracted once and cached.
  func contents() throws(EngineError) -> Data {
    if let data = lock.withLock({ cached }) { return data }
    let archive = try openArchive()
    guard let entry = archive[name] else { throw EngineError.invalidData(label, "member missing") }
    var data = Data()
    data.reserveCapacity(Int(entry.uncompressedSize))
    do {
      _ = try archive.extract(entry) { data.append($0) }
    } catch {
      throw EngineError.invalidData(label, "cannot extract (\(error))")
    }
    lock.withLock { cached = data }
    return data
  }
}
