import CLineEdit
import Foundation

/// The process-wide Ctrl-C flag, set by a C signal handler and polled by whoever can cancel.
///
/// A signal handler may only touch lock-free state, so the handler (in CLineEdit) merely counts
/// SIGINTs in a `sig_atomic_t`. The line editor reads it to tell a cancelled prompt from end of
/// input; long-running commands poll ``isPending`` between batches and stop cleanly. The REPL
/// clears it before each cell so a stale Ctrl-C never cancels the next command.
public enum Interrupt {
  /// How many unanswered Ctrl-Cs end the process (exit status 130), for commands that never poll.
  public static let forcedExitCount: Int32 = 3

  /// Installs the SIGINT handler (idempotent).
  ///
  /// It uses `sigaction` without `SA_RESTART`, so a blocked `read` returns `EINTR` and the
  /// prompt or `readLine` wakes up. After ``forcedExitCount`` Ctrl-Cs that nobody took, the
  /// handler exits with status 130, so a stuck command can always be stopped.
  /// - Returns: `false` if `sigaction` failed.
  @discardableResult
  public static func installHandler(forcedExitAfter count: Int32 = forcedExitCount) -> Bool {
    jle_install_sigint_handler(count) == 0
  }

  /// True when a Ctrl-C arrived since the last ``take()`` or ``clear()``; does not clear it.
  ///
  /// Commands poll this (cheap: one load) to decide whether to stop.
  public static var isPending: Bool { jle_interrupt_pending() != 0 }

  /// Returns whether a Ctrl-C arrived, and clears the flag in the same atomic step.
  public static func take() -> Bool { jle_take_interrupt() != 0 }

  /// Waits up to `milliseconds` for a Ctrl-C to be flagged; returns whether one was.
  ///
  /// For a SIGINT that was re-raised to the process: it lands on whichever thread does not
  /// block it, so the flag can trail the `EINTR` that woke the reader by a few microseconds.
  public static func awaitPending(milliseconds: Int = 1000) -> Bool {
    for _ in 0..<milliseconds {
      if isPending { return true }
      usleep(1000)
    }
    return isPending
  }

  /// Forgets any pending Ctrl-C.
  public static func clear() { jle_clear_interrupt() }
}
