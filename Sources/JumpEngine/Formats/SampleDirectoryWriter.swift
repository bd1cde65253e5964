import Foundation

/// Writes the samples of a dataset, as the model sees them (after the dataset's transform), one `.npy`
/// file per sample (`00000.npy`, `00001.npy`, ... of the sample shape, float32) into a directory.
///
/// NPU compilers that quantize by themselves (the DX-M1 class) take a float model plus a folder of
/// calibration samples; writing the samples already transformed means the compiler calibrates on exactly
/// what the model will be fed. The directory is built under a temporary name and renamed into place,
/// so an interrupted write never leaves a half-filled folder under the final name. `dataset` reads such
/// a folder back.
public enum SampleDirectoryWriter {
  /// Writes every sample of `dataset` into `directory` (replacing it) and returns how many were written.
  ///
  /// Throws `cancelled` (writing nothing) when `isCancelled` turns true between batches.
  public static func write(
    _ dataset: Dataset, to directory: URL, batchSize: Int = 64, isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> Int {
    let files = FileManager.default
    let parent = directory.deletingLastPathComponent()
    let temporary = parent.appendingPathComponent(".\(directory.lastPathComponent).tmp-\(UUID().uuidString)")
    do {
      try files.createDirectory(at: temporary, withIntermediateDirectories: true)
    } catch {
      throw EngineError.io(directory.path, "cannot create a directory in '\(parent.path)'")
    }
    var completed = false
    defer { if !completed { try? files.removeItem(at: temporary) } }

    let header = NpyWriter.header(shape: dataset.sampleShape)
    let sampleCount = Tensor.elementCount(dataset.sampleShape)
    let digits = max(5, String(dataset.count).count)
    var written = 0
    var batches = dataset.batches(size: batchSize)
    while let batch = try batches.next() {
      if isCancelled() { throw EngineError(.cancelled, "writing samples to '\(directory.path)' cancelled") }
      let values = batch.x.asFloats()
      for sample in 0..<(values.count / max(sampleCount, 1)) {
        var data = header
        values[(sample * sampleCount)..<((sample + 1) * sampleCount)].withUnsafeBufferPointer {
          data.append(Data(buffer: $0))
        }
        let name = String(repeating: "0", count: max(0, digits - String(written).count)) + "\(written).npy"
        guard files.createFile(atPath: temporary.appendingPathComponent(name).path, contents: data) else {
          throw EngineError.io(directory.path, "cannot write sample \(written)")
        }
        written += 1
      }
    }
    do {
      if files.fileExists(atPath: directory.path) { try files.removeItem(at: directory) }
      try files.moveItem(at: temporary, to: directory)
    } catch {
      throw EngineError.io(
        directory.path, "cannot move the samples into place (\(error.localizedDescription))")
    }
    completed = true
    return written
  }
}
