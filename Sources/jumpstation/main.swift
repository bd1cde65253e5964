import ArgumentParser
import Foundation
import JumpScript

/// The `jumpstation` command line: the REPL by default, plus `run`, `check`, `replay`, and the one-shot
/// `quantize`, `prune` and `distill`.
struct JumpStation: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "jumpstation",
    abstract: "Compress neural networks to fit microcontrollers and edge accelerators.",
    version: JumpStationVersion.current,
    subcommands: [
      REPLCommand.self, RunCommand.self, CheckCommand.self, ReplayCommand.self, QuantizeOneShotCommand.self,
      PruneOneShotCommand.self,
      DistillOneShotCommand.self,
    ],
    defaultSubcommand: REPLCommand.self)
}

JumpStation.main()
