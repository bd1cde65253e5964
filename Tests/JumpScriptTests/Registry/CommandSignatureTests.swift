import Testing

@testable import JumpScript

@Suite struct CommandSignatureTests {
  @Test func theStandardRegistry() {
    let registry = CommandRegistry.standard
    let names = registry.signatures.map(\.name)
    #expect(names == names.sorted())
    #expect(Set(names).isSuperset(of: ["dataset", "device", "export", "load", "report", "seed", "target"]))
    #expect(registry.syntax.commands == Set(registry.commands.keys))
    #expect(registry.syntax.bindingCommands == ["dataset"])
    #expect(registry.signature("quantize") != nil)
    #expect(registry.signature("nonsense") == nil)
  }

  @Test func usageLines() {
    #expect(LoadCommand.signature.usage == "load PATH [as NAME] [sha256:HEX]")
    #expect(
      ExportCommand.signature.usage
        == "export PATH [from MODEL] [format=…] [io=…] [batch=…] [samples=…] [force=false]")
    #expect(
      DatasetCommand.signature.usage
        == "dataset NAME = PATH [as REST] [scale=…] [mean=…] [std=…] [layout=nchw] [limit=…] [shuffle=false] [split=…]"
    )
    #expect(
      ReportCommand.signature.usage == "report [memory] [MODEL] [vs BASELINE] [on DATASET] [to PATH] [io=…]")
    #expect(SeedCommand.signature.usage == "seed SEED")
    #expect(TargetCommand.signature.usage == "target [DEVICE] [from PATH]")
    // Required options are not shown as optional.
    #expect(DeviceCommand.signature.usage.hasPrefix("device NAME ram=… flash=… clock=… [int8_macs=1] "))
  }

  @Test func helpText() {
    #expect(
      LoadCommand.signature.helpText == """
        load — import an ONNX model; it becomes the working model

        usage: load PATH [as NAME] [sha256:HEX]

        arguments:
          PATH                the .onnx file (path (.onnx), required)
          as NAME             session name (default: the file name) (name)

        examples:
          load "tutorials/data/teacher.onnx" as teacher
          load "m.onnx" sha256:<64 hex digits>
        """)
  }

  @Test func helpListsOptionsWithTypesRangesAndDefaults() {
    let help = DeviceCommand.signature.helpText
    #expect(help.contains("\n  ram=                RAM for the model (size in 1 B...931.32 GB, required)"))
    #expect(help.contains("\n  fpu=                hardware floating point (true|false, default false)"))
    #expect(help.contains("\noptions:\n"))
    #expect(
      DatasetCommand.signature.helpText.contains(
        "\n  NAME                the dataset's name (name, required)"))
  }

  @Test func parameterTypeDescriptions() {
    #expect(ParameterType.number(.time, range: 0.001...10).description == "time in 1 ms...10 s")
    #expect(ParameterType.number(.none, range: nil).description == "number")
    #expect(ParameterType.integer(range: nil).description == "integer")
    #expect(ParameterType.choice(["int8", "int4"]).description == "int8|int4")
    #expect(ParameterType.inputPath(extensions: ["npy", "npz"]).description == "path (.npy, .npz)")
    #expect(ParameterType.outputPath(extensions: []).description == "path")
  }
}
