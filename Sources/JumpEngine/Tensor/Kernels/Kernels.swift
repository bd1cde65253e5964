import Dispatch

/// Float32 compute kernels on raw pointers: the building blocks of the float executor.
///
/// Every kernel reads and writes caller-owned memory through `UnsafePointer`/`UnsafeMutablePointer`, never
/// allocates per element, and keeps its inner loops free of bounds-checked indexing so the optimizer can
/// vectorize them. Kernels that take a `threads` count split their work into contiguous, disjoint ranges
/// (by sample, channel or row), so each output element is computed by exactly one thread in a fixed order:
/// results are bit-identical from run to run for the same thread count.
enum Kernels {
  /// Runs `body` over `0..<count` split into at most `threads` contiguous ranges, concurrently when more than
  /// one range results. The split depends only on `count` and `threads`.
  static func parallelRanges(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    let parts = min(max(threads, 1), count)
    if parts <= 1 {
      if count > 0 { body(0..<count) }
      return
    }
    withoutActuallyEscaping(body) { escaping in
      let work = UncheckedSendable(escaping)
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        work.value((count * part / parts)..<(count * (part + 1) / parts))
      }
    }
  }

  /// Runs `body(part, range)` over `0..<count` split into at most `threads` contiguous ranges; `part` is the
  /// index of the worker (for per-worker scratch memory).
  static func parallelParts(_ count: Int, threads: Int, _ body: (Int, Range<Int>) -> Void) {
    let parts = min(max(threads, 1), count)
    if parts <= 1 {
      if count > 0 { body(0, 0..<count) }
      return
    }
    withoutActuallyEscaping(body) { escaping in
      let work = UncheckedSendable(escaping)
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        work.value(part, (count * part / parts)..<(count * (part + 1) / parts))
      }
    }
  }

  /// Copies `count` floats.
  @inline(__always)
  static func copy(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ count: Int) {
    if count > 0 { destination.update(from: source, count: count) }
  }

  /// Sets `count` floats to `value`.
  @inline(__always)
  static func fill(_ destination: UnsafeMutablePointer<Float>, _ value: Float, _ count: Int) {
    if count > 0 { destination.update(repeating: value, count: count) }
  }
}

/// Carries a value into a concurrent closure. The kernels only hand each worker a disjoint output range, so
/// the raw pointers captured by the work closures are never written by two threads.
struct UncheckedSendable<Value>: @unchecked Sendable {
  /// The wrapped value.
  let value: Value
  /// Wraps `value`.
  init(_ value: Value) { self.value = value }
}
