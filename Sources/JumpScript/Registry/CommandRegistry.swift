/// The set of commands the language knows. One list, read by the parser (which words are
/// commands), the checker, the interpreter, completion and `.help`.
public struct CommandRegistry: Sendable {
  /// Commands by name.
  public let commands: [String: any Command.Type]

  /// Creates a registry from command types.
  public init(_ types: [any Command.Type]) {
    var table: [String: any Command.Type] = [:]
    for type in types { table[type.signature.name] = type }
    self.commands = table
  }

  /// The commands of this version of JumpStation.
  public static let standard = CommandRegistry([
    SeedCommand.self,
    ThreadsCommand.self,
    LoadCommand.self,
    DatasetCommand.self,
    DeviceCommand.self,
    TargetCommand.self,
    ReportCommand.self,
    ExportCommand.self,
    EvalCommand.self,
    QuantizeCommand.self,
    PruneCommand.self,
    DistillCommand.self,
    PredictCommand.self,
    CalibrateCommand.self,
  ])

  /// The signature of a command.
  public func signature(_ name: String) -> CommandSignature? { commands[name]?.signature }

  /// All signatures, sorted by name.
  public var signatures: [CommandSignature] {
    commands.values.map { $0.signature }.sorted { $0.name < $1.name }
  }

  /// What the parser needs.
  public var syntax: Parser.CommandSyntax {
    Parser.CommandSyntax(
      commands: Set(commands.keys),
      bindingCommands: Set(commands.values.filter { $0.signature.binding != nil }.map { $0.signature.name }))
  }
}
