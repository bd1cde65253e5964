import CBLAS

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Serializes changes of OpenBLAS's thread count against the BLAS calls that run under it.
///
/// OpenBLAS keeps one process-wide thread count, and `openblas_set_num_threads` reallocates its
/// thread buffers: changing it while another thread is inside `sgemm` corrupts the heap (seen as
/// "double free" when executors with different `threads` settings ran side by side). So the count is
/// a per-thread request (`request`, 1 by default) and every BLAS call goes through `run`: calls that
/// want the current count run together under a shared lock; a call that wants another count takes
/// the lock exclusively, changes the count while no call is in flight, and runs alone.
final class BLASThreadGate: @unchecked Sendable {
  /// The one gate of the process.
  static let shared = BLASThreadGate()

  /// Shared for calls at the current count, exclusive to change it (allocated once, never moved).
  private let lock: UnsafeMutablePointer<pthread_rwlock_t>
  /// The calling thread's requested count, stored as a pointer-sized integer (absent means 1).
  private let requestKey: pthread_key_t

  private init() {
    lock = .allocate(capacity: 1)
    pthread_rwlock_init(lock, nil)
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    requestKey = key
  }

  /// Sets the thread count the calling thread's next BLAS calls run with.
  func request(_ threads: Int) {
    pthread_setspecific(requestKey, UnsafeRawPointer(bitPattern: max(1, threads)))
  }

  /// The calling thread's requested count.
  var requested: Int {
    let stored = Int(bitPattern: pthread_getspecific(requestKey))
    return stored > 0 ? stored : 1
  }

  /// Runs one BLAS call at `threads` threads (by default the calling thread's requested count).
  func run(threads: Int? = nil, _ call: () -> Void) {
    let wanted = Int32(max(1, threads ?? requested))
    pthread_rwlock_rdlock(lock)
    if openblas_get_num_threads() == wanted {
      call()
      pthread_rwlock_unlock(lock)
      return
    }
    pthread_rwlock_unlock(lock)
    pthread_rwlock_wrlock(lock)
    if openblas_get_num_threads() != wanted { openblas_set_num_threads(wanted) }
    call()
    pthread_rwlock_unlock(lock)
  }
}
