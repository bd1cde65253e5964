import Synchronization

/// Float arrays that training steps hand back for the next step to reuse, by element count.
///
/// A training step computes the same values and gradients in the same sizes every batch; allocating them
/// afresh each step made the kernel map and zero new pages (over half of a small network's epoch went to page
/// faults). Arrays come back here when a forward pass is released and when the backward pass has consumed
/// a gradient, and `TrainValue.zeros` takes them out again. Reuse never changes a number: a taken array is
/// cleared (or fully overwritten) before use, and an array somebody else still shares is copied on write
/// as usual, so a stale reference cannot see a later step's values.
enum FloatBufferPool {
  /// How many floats the pool keeps at most (1 GiB); arrays returned beyond it are freed.
  static let capacity = 1 << 28

  private struct Shelves: ~Copyable {
    var arrays: [Int: [[Float]]] = [:]
    var total = 0
  }

  private static let shelves = Mutex(Shelves())

  /// An array of `count` floats with unspecified contents: a returned one if there is one of that size.
  static func take(_ count: Int) -> [Float] {
    if count > 0 {
      let reused: [Float]? = shelves.withLock { s in
        guard let array = s.arrays[count]?.popLast() else { return nil }
        s.total -= count
        return array
      }
      if let reused { return reused }
    }
    return [Float](repeating: 0, count: count)
  }

  /// Returns `array` for reuse (dropped when the pool is full or the array is empty).
  static func give(_ array: consuming [Float]) {
    let count = array.count
    guard count > 0 else { return }
    let kept = array
    shelves.withLock { s in
      guard s.total + count <= capacity else { return }
      s.arrays[count, default: []].append(kept)
      s.total += count
    }
  }

  /// Frees every kept array (after training, so that the memory goes back to the system).
  static func drain() {
    shelves.withLock { s in
      s.arrays = [:]
      s.total = 0
    }
  }
}
