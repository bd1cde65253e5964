import JumpEngine

/// The version `--version` prints.
enum JumpStationVersion {
  static let current = JumpEngineInfo.version
}
