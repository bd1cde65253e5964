/// The one error type the engine throws.
///
/// Every error carries a `kind` the command line maps to an exit code, and a one-line human message that
/// names the file (and the node, where relevant). The message never contains a newline.
public struct EngineError: Error, Equatable, Sendable, CustomStringConvertible {
  /// What class of failure an `EngineError` describes.
  public enum Kind: String, Equatable, Sendable, CaseIterable {
    /// An input file or directory does not exist or cannot be opened.
    case missingInput
    /// A file's SHA-256 differs from the pinned digest.
    case hashMismatch
    /// A model file is malformed or its graph is inconsistent.
    case invalidModel
    /// A model uses an operator (or operator form) the engine does not support.
    case unsupportedOp
    /// A data file (`.npy`, `.npz`, directory of samples) is malformed.
    case invalidData
    /// Reading or writing a file failed for another reason.
    case io
    /// The operation was cancelled by the user.
    case cancelled
  }

  /// The class of failure.
  public let kind: Kind
  /// The one-line message shown to the user.
  public let message: String

  /// Creates an error of the given kind; newlines in `message` are replaced by spaces.
  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message.replacingOccurrences(of: "\n", with: " ")
  }

  /// The one-line message.
  public var description: String { message }

  /// True when the command line should exit with status 66 (input missing or its hash differs).
  public var isInputError: Bool { kind == .missingInput || kind == .hashMismatch }

  /// An input file that does not exist.
  public static func missingInput(_ path: String, what: String = "file") -> EngineError {
    EngineError(.missingInput, "\(path): \(what) not found")
  }

  /// A malformed model, prefixed with the file path when one is known.
  public static func invalidModel(_ path: String?, _ detail: String) -> EngineError {
    EngineError(.invalidModel, prefixed(path, detail))
  }

  /// An unsupported operator, prefixed with the file path when one is known.
  public static func unsupportedOp(_ path: String?, _ detail: String) -> EngineError {
    EngineError(.unsupportedOp, prefixed(path, detail))
  }

  /// A malformed data file.
  public static func invalidData(_ path: String, _ detail: String) -> EngineError {
    EngineError(.invalidData, "\(path): \(detail)")
  }

  /// An I/O failure on a file.
  public static func io(_ path: String, _ detail: String) -> EngineError {
    EngineError(.io, "\(path): \(detail)")
  }

  /// Returns the same error with its message prefixed by `path` (used when a helper did not know the file).
  public func inFile(_ path: String?) -> EngineError {
    guard let path, !message.hasPrefix(path + ":") else { return self }
    return EngineError(kind, "\(path): \(message)")
  }

  private static func prefixed(_ path: String?, _ detail: String) -> String {
    guard let path else { return detail }
    return "\(path): \(detail)"
  }
}
