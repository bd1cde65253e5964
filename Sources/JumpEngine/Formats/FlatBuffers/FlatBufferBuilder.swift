/// Writes FlatBuffers, the binary format of `.tflite` files: the write side only, for the schemas JumpStation
/// emits.
///
/// The buffer is built back to front, as the format intends: a child (a string, a vector, a table) is written
/// before the parent that refers to it, and every reference is an unsigned 32-bit distance forward from the
/// referring field. Positions are kept as distances from the buffer's end (`FlatBufferOffset`) because the
/// front keeps moving; `finish` pads the total size to the largest alignment used, so anything aligned from
/// the end is aligned from the start too.
public struct FlatBufferBuilder {
  /// The storage; the used bytes are `storage[head...]`, growing towards index 0.
  var storage: [UInt8]
  /// Index of the first used byte in `storage`.
  var head: Int
  /// The largest alignment any value asked for; the finished size is a multiple of it.
  var minimumAlignment = 1
  /// The table under construction: where it started and where each field went, by slot.
  var openTable: (start: Int, fields: [(slot: Int, position: Int)])?
  /// Positions of the vtables written so far, so identical ones are shared.
  var vtables: [Int] = []

  /// Creates an empty builder; `capacity` is a hint, the buffer grows as needed.
  public init(capacity: Int = 1024) {
    storage = [UInt8](repeating: 0, count: max(capacity, 16))
    head = storage.count
  }

  /// Bytes written so far.
  public var size: Int { storage.count - head }

  /// The current front as an offset, the position of whatever is written last.
  var front: FlatBufferOffset { FlatBufferOffset(size) }

  // MARK: - Raw space

  /// Makes room for `count` more bytes in front of the used ones.
  mutating func reserve(_ count: Int) {
    guard head < count else { return }
    var capacity = storage.count
    while capacity - size < count { capacity *= 2 }
    var grown = [UInt8](repeating: 0, count: capacity)
    let used = size
    grown.withUnsafeMutableBufferPointer { target in
      storage.withUnsafeBufferPointer { source in
        guard used > 0, let to = target.baseAddress, let from = source.baseAddress else { return }
        (to + (capacity - used)).update(from: from + head, count: used)
      }
    }
    storage = grown
    head = capacity - used
  }

  /// Writes `count` zero bytes in front.
  mutating func pad(_ count: Int) {
    guard count > 0 else { return }
    reserve(count)
    for i in 0..<count { storage[head - 1 - i] = 0 }
    head -= count
  }

  /// Pads so that after `following` more bytes the front is aligned to `alignment` (a power of two), and
  /// records the alignment for `finish`.
  mutating func align(_ alignment: Int, following: Int = 0) {
    minimumAlignment = max(minimumAlignment, alignment)
    let misalignment = (size + following) & (alignment - 1)
    pad(misalignment == 0 ? 0 : alignment - misalignment)
  }

  /// Writes a little-endian scalar in front, unaligned (callers align first).
  mutating func push<T: FixedWidthInteger>(_ value: T) {
    let width = MemoryLayout<T>.size
    reserve(width)
    head -= width
    let at = head
    storage.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: at, as: T.self) }
  }

  /// Writes raw bytes in front, in their order.
  mutating func push(bytes: UnsafeRawBufferPointer) {
    guard bytes.count > 0 else { return }
    reserve(bytes.count)
    head -= bytes.count
    let at = head
    storage.withUnsafeMutableBytes { target in
      guard let to = target.baseAddress, let from = bytes.baseAddress else { return }
      (to + at).copyMemory(from: from, byteCount: bytes.count)
    }
  }

  /// Writes an aligned scalar and returns its position.
  mutating func put<T: FixedWidthInteger>(_ value: T) -> Int {
    align(MemoryLayout<T>.size)
    push(value)
    return size
  }

  /// Writes a reference to `target` (a 32-bit distance forward from the reference itself).
  mutating func putReference(_ target: FlatBufferOffset) -> Int {
    align(4)
    precondition(target.position <= size, "a FlatBuffers reference must point at something already written")
    push(UInt32(size + 4 - target.position))
    return size
  }

  // MARK: - Finishing

  /// Writes the root reference (and the 4-character file identifier, when given) and returns the bytes.
  ///
  /// The builder is spent afterwards; start a new one for another buffer.
  public mutating func finish(root: FlatBufferOffset, fileIdentifier: String? = nil) -> [UInt8] {
    let identifier = fileIdentifier.map { Array($0.utf8) } ?? []
    precondition(identifier.isEmpty || identifier.count == 4, "a file identifier has exactly 4 bytes")
    align(max(minimumAlignment, 4), following: 4 + identifier.count)
    for byte in identifier.reversed() { push(byte) }
    _ = putReference(root)
    return Array(storage[head...])
  }
}

/// A position in a buffer under construction, counted from the buffer's end; what builder calls return and
/// references point at.
public struct FlatBufferOffset: Hashable, Sendable {
  /// Distance from the end of the buffer.
  let position: Int

  init(_ position: Int) { self.position = position }
}
