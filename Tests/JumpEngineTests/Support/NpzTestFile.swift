import Foundation
import ZIPFoundation

/// Writes an `.npz` (ZIP) archive with the given members, stored or deflated.
func npz(_ members: [String: Data], to url: URL, compression: CompressionMethod = .none) throws {
  let archive = try Archive(url: url, accessMode: .create)
  for (name, data) in members.sorted(by: { $0.key < $1.key }) {
    try archive.addEntry(
      with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: compression
    ) { position, size in
      data.subdata(in: Int(position)..<Int(position) + size)
    }
  }
}
