/// `threads N`: how many threads the engine's kernels and BLAS may use.
enum ThreadsCommand: Command {
  static let signature = CommandSignature(
    name: "threads",
    summary: "set the number of threads the engine uses (results are fixed for a given count)",
    positionals: [Parameter("count", .integer(range: 1...256), required: true, help: "number of threads")],
    examples: ["threads 2"])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let count = arguments.integer("count") else { throw CommandError("threads needs a whole number") }
    context.state.threads = count
    return .none
  }
}
