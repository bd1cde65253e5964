import Foundation

/// A member of an `.npz` (ZIP) archive, read by byte offset.
///
/// A stored member is read directly from the archive at its data offset. A deflated member is inflated
/// once, on the first read, into an anonymous scratch file (checked against the member's CRC-32) and read
/// from there by offset, so memory stays flat however large the member is. Only the header prefix is
/// inflated at open.
final class NpzMember: @unchecked Sendable {
  /// The archive file.
  let archive: URL
  /// The member's path inside the archive.
  let name: String
  /// The member's directory entry.
  let entry: DatasetZipDirectory.Entry
  private let dataOffset: Int
  private let lock = NSLock()
  private var scratch: DatasetScratchFile?

  /// Opens member `name` of `archive`, or returns nil when the archive has no such member.
  static func open(
    _ name: String, of archive: URL, directory: DatasetZipDirectory
  ) throws(EngineError)
    -> NpzMember?
  {
    guard let entry = directory.entries[name] else { return nil }
    let label = "\(archive.path):\(name)"
    guard entry.method == 0 || entry.method == 8 else {
      throw EngineError.invalidData(label, "unsupported ZIP compression method \(entry.method)")
    }
    let offset = try DatasetZipDirectory.dataOffset(of: entry, path: archive.path)
    let archiveSize = try DatasetFileReader.size(path: archive.path)
    guard offset + entry.compressedSize <= archiveSize else {
      throw EngineError.invalidData(label, "truncated archive: the member runs past the end of the file")
    }
    if entry.method == 0, entry.compressedSize != entry.uncompressedSize {
      throw EngineError.invalidData(label, "corrupt archive: stored member sizes differ")
    }
    return NpzMember(archive: archive, name: name, entry: entry, dataOffset: offset)
  }

  private init(archive: URL, name: String, entry: DatasetZipDirectory.Entry, dataOffset: Int) {
    self.archive = archive
    self.name = name
    self.entry = entry
    self.dataOffset = dataOffset
  }

  /// `archive.npz:x.npy`, as messages name it.
  var label: String { "\(archive.path):\(name)" }

  /// The member's uncompressed size.
  var uncompressedSize: Int { entry.uncompressedSize }

  /// The first `count` bytes (fewer if the member is shorter), inflating no more than needed.
  func prefix(_ count: Int) throws(EngineError) -> Data {
    let wanted = min(count, entry.uncompressedSize)
    if entry.method == 0 || lock.withLock({ scratch != nil }) { return try read(offset: 0, count: wanted) }
    var collected = Data()
    _ = try DatasetInflater.inflate(
      length: entry.compressedSize, label: label, bufferSize: 4096,
      read: { (offset, length) throws(EngineError) in try self.compressed(offset, length) },
      consumer: { (chunk) throws(EngineError) in
        collected.append(chunk)
        return collected.count < wanted
      })
    return collected.prefix(wanted)
  }

  /// Reads `count` bytes at `offset` of the uncompressed member.
  func read(offset: Int, count: Int) throws(EngineError) -> Data {
    guard offset >= 0, offset + count <= entry.uncompressedSize else {
      throw EngineError.invalidData(label, "truncated data")
    }
    if entry.method == 0 {
      return try DatasetFileReader.read(
        path: archive.path, offset: dataOffset + offset, count: count, label: label)
    }
    return try extracted().read(offset: offset, count: count, label: label)
  }

  private func compressed(_ offset: Int, _ count: Int) throws(EngineError) -> Data {
    try DatasetFileReader.read(path: archive.path, offset: dataOffset + offset, count: count, label: label)
  }

  /// The scratch file holding the inflated member, made on first use.
  private func extracted() throws(EngineError) -> DatasetScratchFile {
    lock.lock()
    defer { lock.unlock() }
    if let scratch { return scratch }
    let file = try DatasetScratchFile(label: label)
    let outcome = try DatasetInflater.inflate(
      length: entry.compressedSize, label: label,
      read: { (offset, length) throws(EngineError) in try self.compressed(offset, length) },
      consumer: { (chunk) throws(EngineError) in
        try file.append(chunk, label: self.label)
        return true
      })
    guard outcome.size == entry.uncompressedSize else {
      throw EngineError.invalidData(
        label, "corrupt archive: inflated \(outcome.size) bytes, the directory says \(entry.uncompressedSize)"
      )
    }
    guard outcome.crc32 == entry.crc32 else {
      throw EngineError.invalidData(label, "corrupt archive: CRC-32 mismatch")
    }
    scratch = file
    return file
  }
}
