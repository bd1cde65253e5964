import JumpEngine

/// `device NAME ram=... flash=... clock=...`: declares a device that `target` can select.
/// The stdlib's `targets.jss` is written with it, and users add their own the same way.
enum DeviceCommand: Command {
  static let signature = CommandSignature(
    name: "device",
    summary: "declare a device (RAM, flash, clock, throughput) that `target` can select",
    positionals: [Parameter("name", .newName, required: true, help: "the device's name")],
    options: [
      Parameter("ram", .number(.bytes, range: 1...1e12), required: true, help: "RAM for the model"),
      Parameter(
        "flash", .number(.bytes, range: 1...1e13), required: true, help: "flash for weights and code"),
      Parameter("clock", .number(.frequency, range: 1e3...1e11), required: true, help: "CPU clock"),
      Parameter(
        "int8_macs", .number(.none, range: 0...1e6), default: .number(Quantity(1)),
        help: "sustained int8 MACs per cycle"),
      Parameter(
        "float_macs", .number(.none, range: 0...1e6), default: .number(Quantity(0)),
        help: "sustained float32 MACs per cycle"),
      Parameter("fpu", .boolean, default: .bool(false), help: "hardware floating point"),
      Parameter(
        "overhead", .number(.bytes, range: 0...1e12), default: .number(.bytes(0)),
        help: "RAM the runtime keeps for itself"),
      Parameter(
        "weights_in_flash", .boolean, default: .bool(true), help: "weights are read in place from flash"),
      Parameter("tops", .number(.none, range: 0...1e4), help: "accelerator int8 TOPS, if any"),
      Parameter(
        "kind", .choice(DeviceKind.allCases.map(\.rawValue)), default: .word(DeviceKind.mcu.rawValue),
        help: "what runs the model: mcu (TFLite Micro), linux (LiteRT on the CPU), npu (an accelerator)"),
      Parameter(
        "compiler_quantizes", .boolean, default: .bool(false),
        help: "the vendor compiler quantizes a float model itself (DX-M1 class NPUs)"),
      Parameter("summary", .string, default: .string(""), help: "one line saying what it is"),
    ],
    examples: ["device mybox ram=512KB flash=4MB clock=240MHz int8_macs=2 fpu=true"])

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    context.state.store(try device(from: arguments))
    return .none
  }

  /// The device the arguments describe; `DeviceFile` builds its devices here too.
  static func device(from arguments: BoundArguments) throws(CommandError) -> Device {
    guard let name = arguments.string("name"), let ram = arguments.number("ram"),
      let flash = arguments.number("flash"), let clock = arguments.number("clock")
    else { throw CommandError("device needs a name, ram, flash and clock") }
    return Device(
      name: name, summary: arguments.string("summary") ?? "", ram: Int(ram), flash: Int(flash),
      clockHz: clock,
      int8MACsPerCycle: arguments.number("int8_macs") ?? 1,
      floatMACsPerCycle: arguments.number("float_macs") ?? 0,
      hasFloat: arguments.bool("fpu") ?? false, runtimeOverhead: Int(arguments.number("overhead") ?? 0),
      weightsInFlash: arguments.bool("weights_in_flash") ?? true, tops: arguments.number("tops"),
      kind: arguments.string("kind").flatMap(DeviceKind.init(rawValue:)) ?? .mcu,
      compilerQuantizes: arguments.bool("compiler_quantizes") ?? false)
  }
}
