import Foundation
import ZIPFoundation

/// Streams raw DEFLATE data (an `.npz` member, a PNG image's zlib payload) through ZIPFoundation's
/// inflater, a chunk at a time.
enum DatasetInflater {
  /// What an inflation produced.
  struct Outcome {
    /// The CRC-32 of the inflated bytes.
    var crc32: UInt32
    /// How many bytes were inflated.
    var size: Int
    /// True when the consumer asked to stop, so the stream was not read to its end.
    var stoppedEarly: Bool
  }

  /// Ends inflation early without an error.
  private struct Stop: Error {}

  /// Inflates `length` compressed bytes obtained from `read(offset, count)`, handing each inflated chunk to
  /// `consumer`, which returns false to stop early.
  ///
  /// Every chunk handed to ZIPFoundation is padded to the full buffer size (its inflater assumes full
  /// buffers), and reading past the compressed data fails, so truncated or corrupt streams end with an
  /// `invalidData` error labelled `label` rather than reading out of bounds or looping.
  static func inflate(
    length: Int, label: String, bufferSize: Int = 65_536,
    read: (_ offset: Int, _ count: Int) throws(EngineError) -> Data,
    consumer: (Data) throws(EngineError) -> Bool
  ) throws(EngineError) -> Outcome {
    var produced = 0
    do {
      let crc = try Data.decompress(
        size: Int64(length), bufferSize: bufferSize, skipCRC32: false,
        provider: { position, _ in
          let offset = Int(position)
          if offset >= length {
            throw EngineError.invalidData(label, "truncated compressed data")
          }
          var chunk = try read(offset, min(bufferSize, length - offset))
          if chunk.count < bufferSize { chunk.append(Data(count: bufferSize - chunk.count)) }
          return chunk
        },
        consumer: { data in
          produced += data.count
          guard try consumer(data) else { throw Stop() }
        })
      return Outcome(crc32: crc, size: produced, stoppedEarly: false)
    } catch is Stop {
      return Outcome(crc32: 0, size: produced, stoppedEarly: true)
    } catch let error as EngineError {
      throw error
    } catch {
      throw EngineError.invalidData(label, "corrupt compressed data")
    }
  }
}
