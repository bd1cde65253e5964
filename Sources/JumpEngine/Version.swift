/// Facts about this build of the engine.
public enum JumpEngineInfo {
  /// The version written into exported files and printed by `--version`.
  public static let version = "0.1.0"
}
