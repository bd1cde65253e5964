import Foundation

/// The central directory of a ZIP archive (an `.npz`), read without extracting anything.
///
/// Sizes and offsets come from the central directory (with its ZIP64 extra fields where the 32-bit
/// fields are saturated), never from local headers: numpy writes ZIP64 local headers whose size fields
/// are placeholders. Only what `.npz` reading needs is kept.
struct DatasetZipDirectory: Sendable {
  /// One member of the archive.
  struct Entry: Sendable {
    /// The member's path inside the archive.
    var name: String
    /// 0 for stored, 8 for deflated.
    var method: Int
    /// The CRC-32 of the uncompressed bytes.
    var crc32: UInt32
    /// The size of the member's bytes as stored.
    var compressedSize: Int
    /// The size after decompression.
    var uncompressedSize: Int
    /// The offset of the member's local header from the start of the archive.
    var localHeaderOffset: Int
  }

  /// The members by name.
  let entries: [String: Entry]

  /// Reads the directory of the archive at `path`; `invalidData` naming the file if it is not a ZIP archive.
  static func read(path: String) throws(EngineError) -> DatasetZipDirectory {
    let size = try DatasetFileReader.size(path: path)
    let tailLength = min(size, 22 + 65_535 + 20)
    let tail = [UInt8](try DatasetFileReader.read(path: path, offset: size - tailLength, count: tailLength))
    guard let end = lastSignature(0x0605_4b50, in: tail, minimumLength: 22) else {
      throw EngineError.invalidData(path, "not a readable .npz (ZIP) archive: no end of central directory")
    }
    var count = Int(le16(tail, end + 10))
    var directorySize = Int(le32(tail, end + 12))
    var directoryOffset = Int(le32(tail, end + 16))
    if end >= 20, le32(tail, end - 20) == 0x0706_4b50 {
      let recordOffset = Int(le64(tail, end - 20 + 8))
      let record = [UInt8](try DatasetFileReader.read(path: path, offset: recordOffset, count: 56))
      guard le32(record, 0) == 0x0606_4b50 else {
        throw EngineError.invalidData(path, "not a readable .npz (ZIP) archive: bad ZIP64 directory record")
      }
      count = Int(le64(record, 32))
      directorySize = Int(le64(record, 40))
      directoryOffset = Int(le64(record, 48))
    }
    guard directoryOffset >= 0, directorySize >= 0, directoryOffset + directorySize <= size else {
      throw EngineError.invalidData(path, "not a readable .npz (ZIP) archive: directory out of bounds")
    }
    let directory = [UInt8](
      try DatasetFileReader.read(path: path, offset: directoryOffset, count: directorySize))
    var entries: [String: Entry] = [:]
    var at = 0
    for _ in 0..<count {
      guard at + 46 <= directory.count, le32(directory, at) == 0x0201_4b50 else {
        throw EngineError.invalidData(path, "not a readable .npz (ZIP) archive: corrupt central directory")
      }
      let nameLength = Int(le16(directory, at + 28))
      let extraLength = Int(le16(directory, at + 30))
      let commentLength = Int(le16(directory, at + 32))
      let next = at + 46 + nameLength + extraLength + commentLength
      guard next <= directory.count else {
        throw EngineError.invalidData(path, "not a readable .npz (ZIP) archive: corrupt central directory")
      }
      let name = String(decoding: directory[at + 46..<at + 46 + nameLength], as: UTF8.self)
      var entry = Entry(
        name: name, method: Int(le16(directory, at + 10)), crc32: le32(directory, at + 16),
        compressedSize: Int(le32(directory, at + 20)), uncompressedSize: Int(le32(directory, at + 24)),
        localHeaderOffset: Int(le32(directory, at + 42)))
      applyZip64(
        Array(directory[at + 46 + nameLength..<at + 46 + nameLength + extraLength]), to: &entry)
      entries[name] = entry
      at = next
    }
    return DatasetZipDirectory(entries: entries)
  }

  /// The offset of an entry's first data byte, read from its local header.
  static func dataOffset(of entry: Entry, path: String) throws(EngineError) -> Int {
    let header = [UInt8](try DatasetFileReader.read(path: path, offset: entry.localHeaderOffset, count: 30))
    guard le32(header, 0) == 0x0403_4b50 else {
      throw EngineError.invalidData("\(path):\(entry.name)", "corrupt archive: bad local header")
    }
    return entry.localHeaderOffset + 30 + Int(le16(header, 26)) + Int(le16(header, 28))
  }

  /// Replaces saturated 32-bit fields with the 64-bit values of the ZIP64 extra field (id 1).
  private static func applyZip64(_ extra: [UInt8], to entry: inout Entry) {
    var at = 0
    while at + 4 <= extra.count {
      let id = le16(extra, at)
      let length = Int(le16(extra, at + 2))
      let body = at + 4
      guard body + length <= extra.count else { return }
      if id == 1 {
        var field = body
        func take() -> Int? {
          guard field + 8 <= body + length else { return nil }
          defer { field += 8 }
          return Int(le64(extra, field))
        }
        if entry.uncompressedSize == 0xFFFF_FFFF, let value = take() { entry.uncompressedSize = value }
        if entry.compressedSize == 0xFFFF_FFFF, let value = take() { entry.compressedSize = value }
        if entry.localHeaderOffset == 0xFFFF_FFFF, let value = take() { entry.localHeaderOffset = value }
        return
      }
      at = body + length
    }
  }

  private static func lastSignature(_ signature: UInt32, in bytes: [UInt8], minimumLength: Int) -> Int? {
    var at = bytes.count - minimumLength
    while at >= 0 {
      if le32(bytes, at) == signature { return at }
      at -= 1
    }
    return nil
  }
}

/// A little-endian 16-bit value at `at`.
private func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
  UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
}

/// A little-endian 32-bit value at `at`.
private func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
  UInt32(le16(bytes, at)) | UInt32(le16(bytes, at + 2)) << 16
}

/// A little-endian 64-bit value at `at`.
private func le64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
  UInt64(le32(bytes, at)) | UInt64(le32(bytes, at + 4)) << 32
}
