import Foundation

/// One `.npy` array on disk, alone or as a member of an `.npz` archive, read by element ranges.
///
/// A plain `.npy` file is read with file offsets, so only the requested elements are loaded. An `.npz`
/// member's header is read at open; its data is read by offset too (see ``NpzMember``).
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

  /// Opens member `name` of an `.npz` archive, inflating only as much as the header needs.
  static func open(
    member name: String, of url: URL, directory: DatasetZipDirectory
  ) throws(EngineError)
    -> NpyArraySource?
  {
    guard let member = try NpzMember.open(name, of: url, directory: directory) else { return nil }
    let label = member.label
    let size = member.uncompressedSize
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
      return try DatasetFileReader.read(path: url.path, offset: offset, count: length, label: label)
    case .zipMember(let member):
      return try member.read(offset: offset, count: length)
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
