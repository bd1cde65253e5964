import JumpEngine

/// `target NAME` selects a declared device; `target from "box.json"` reads a device description
/// (`DeviceFile`, schema `jumpstation.device/1`), declares it under its name and selects it, so a
/// model can be checked against a device given as a file. Reports, budgets, `fit` and the
/// requirement vector `export` writes then refer to it.
enum TargetCommand: Command {
  static let signature = CommandSignature(
    name: "target",
    summary: "select the device to compress for (declared with `device`, or read from a JSON description)",
    positionals: [Parameter("device", .target, help: "a declared device")],
    prepositions: [
      (
        .from,
        Parameter(
          "path", .inputPath(extensions: ["json"]),
          help: "a device description (docs/schemas/device.schema.json) to declare and select")
      )
    ],
    examples: ["use targets", "target pico", "target from \"devices/mybox.json\""])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    if let path = arguments.string("path") {
      if arguments.device("device") != nil {
        throw CommandError("give a device name or a description file, not both", parameter: "path")
      }
      let device = try DeviceFile.read(path)
      context.state.store(device)
      context.state.target = device
      return .target(device)
    }
    guard let device = arguments.device("device") else {
      throw CommandError(
        "target needs a device", parameter: "device",
        hint: "name a declared device (use targets; target pico) or read one: target from \"box.json\"")
    }
    context.state.target = device
    return .target(device)
  }
}
