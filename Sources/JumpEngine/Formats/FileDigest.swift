import Crypto
import Foundation

/// SHA-256 digests of files and byte buffers, as lowercase hex.
public enum FileDigest {
  /// The lowercase hex SHA-256 of `data`.
  public static func sha256(_ data: Data) -> String {
    hex(SHA256.hash(data: data))
  }

  /// The lowercase hex SHA-256 of a file, read in 1 MiB chunks.
  ///
  /// Throws `missingInput` when the file does not exist and `io` when it cannot be read.
  public static func sha256(of url: URL) throws(EngineError) -> String {
    let path = url.path
    guard FileManager.default.fileExists(atPath: path) else { throw EngineError.missingInput(path) }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw EngineError.io(path, "cannot open for reading")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    do {
      while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        hasher.update(data: chunk)
      }
    } catch {
      throw EngineError.io(path, "read failed (\(error.localizedDescription))")
    }
    return hex(hasher.finalize())
  }

  /// Checks a file against a pinned digest; throws `hashMismatch` naming the file and both digests.
  public static func verify(_ url: URL, sha256 expected: String) throws(EngineError) {
    let actual = try sha256(of: url)
    guard actual == expected.lowercased() else {
      throw EngineError(.hashMismatch, "\(url.path): sha256 is \(actual), expected \(expected.lowercased())")
    }
  }

  private static func hex(_ digest: SHA256.Digest) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(64)
    for byte in digest {
      bytes.append(digits[Int(byte >> 4)])
      bytes.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
