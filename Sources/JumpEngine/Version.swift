/// The compression engine: graph IR, runtimes, formats. Knows nothing of the language.
public enum JumpEngineInfo { /// The version written into exported files.
 public static let version = "0.1.0" }
