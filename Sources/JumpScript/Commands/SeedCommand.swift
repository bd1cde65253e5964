/// `seed N`: makes every random choice after it reproducible.
enum SeedCommand: Command {
  static let signature = CommandSignature(
    name: "seed",
    summary: "fix the random seed for shuffles, initialization and sampling",
    positionals: [Parameter("seed", .integer(range: 0...Int(Int32.max)), required: true, help: "the seed")],
    examples: ["seed 42"])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let seed = arguments.integer("seed") else { throw CommandError("seed needs a whole number") }
    context.state.seed = UInt64(seed)
    return .none
  }
}
