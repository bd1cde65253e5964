/// TFLite Micro's greedy arena planner, reproduced so an offline plan matches the device's byte for byte.
///
/// Buffers are placed largest first; each goes into the first gap, in offset order, between the buffers
/// already placed whose lifetimes overlap its own, or after the last of them. Ties matter for the exact
/// result, so they are broken as TFLite Micro breaks them: its planner fills its sort array from the back
/// in the order buffers were added and bubble-sorts it (stable), so among equal sizes the buffer added
/// last is placed first; and a buffer placed at an offset already taken by another goes after it in the
/// offset list. [tflm: tensorflow/lite/micro/memory_planner/greedy_memory_planner.cc]
public enum GreedyArenaPlanner {
  /// One buffer to place: its size in bytes (already aligned) and its lifetime in allocation scopes.
  public struct Request: Sendable, Hashable {
    /// Bytes, already rounded up to the arena alignment.
    public var size: Int
    /// The first scope (operator) that uses it.
    public var firstUsed: Int
    /// The last scope (operator) that uses it.
    public var lastUsed: Int

    /// Creates a request.
    public init(size: Int, firstUsed: Int, lastUsed: Int) {
      self.size = size
      self.firstUsed = firstUsed
      self.lastUsed = lastUsed
    }

    /// Whether the two lifetimes share at least one scope (ends included, as TFLite Micro counts them).
    func overlaps(_ other: Request) -> Bool {
      !(other.firstUsed > lastUsed || firstUsed > other.lastUsed)
    }
  }

  /// The offset of each request (in the order given) and the high-water mark of the arena.
  public static func plan(_ requests: [Request]) -> (offsets: [Int], size: Int) {
    guard !requests.isEmpty else { return ([], 0) }
    // Added order reversed, then a stable sort by size, largest first.
    let order = Array(requests.indices.reversed()).enumerated()
      .sorted { a, b in
        requests[a.element].size != requests[b.element].size
          ? requests[a.element].size > requests[b.element].size : a.offset < b.offset
      }
      .map(\.element)
    var offsets = [Int](repeating: 0, count: requests.count)
    // Placed buffers by offset; equal offsets keep the order they were placed in.
    var placed: [Int] = []
    for id in order {
      let wanted = requests[id]
      var candidate = 0
      for other in placed where requests[other].overlaps(wanted) {
        if offsets[other] - candidate >= wanted.size { break }
        candidate = max(candidate, offsets[other] + requests[other].size)
      }
      offsets[id] = candidate
      let position = placed.firstIndex { offsets[$0] > candidate } ?? placed.count
      placed.insert(id, at: position)
    }
    let size = requests.indices.map { offsets[$0] + requests[$0].size }.max() ?? 0
    return (offsets, size)
  }
}
