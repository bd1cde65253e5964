import JumpEngine

/// `target NAME`: selects the device that reports and budgets refer to.
enum TargetCommand: Command {
  static let signature = CommandSignature(
    name: "target",
    summary: "select the device to compress for (declared with `device`, e.g. by `use targets`)",
    positionals: [Parameter("device", .target, required: true, help: "a declared device")],
    examples: ["use targets", "target pico"])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let device = arguments.device("device") else { throw CommandError("target needs a device") }
    context.state.target = device
    return .target(device)
  }
}
