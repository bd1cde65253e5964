import JumpEngine

/// `augment=[crop, flip]` (or `augment=flip`): the light image augmentation `quantize qat`, `prune
/// finetune=` and `distill` share, random crops with 4-pixel zero padding and horizontal flips drawn from
/// the session's seed.
enum AugmentOption {
  /// The words `augment=` accepts.
  static let words = ["crop", "flip"]

  /// The option as the three commands declare it.
  static func parameter(_ prefix: String = "") -> Parameter {
    Parameter(
      "augment", .list(.choice(words)),
      help: prefix
        + "augment image batches: crop (shift up to 4 pixels, zero padding), flip (mirror left-right); seeded"
    )
  }

  /// The augmentation the arguments ask for (none when `augment=` is not given).
  static func augmentation(_ arguments: BoundArguments) -> ImageAugmentation {
    guard case .list(let items)? = arguments.value("augment") else { return .none }
    let names = Set(
      items.compactMap { (item) -> String? in
        if case .word(let word) = item { return word }
        if case .string(let text) = item { return text }
        return nil
      })
    return ImageAugmentation(crop: names.contains("crop"), flip: names.contains("flip"))
  }

  /// Refuses augmentation of samples that are not images `[C, H, W]`, before any work.
  static func check(_ augmentation: ImageAugmentation, samples: DatasetValue) throws(CommandError) {
    guard augmentation.isEnabled, samples.dataset.sampleShape.count != 3 else { return }
    throw CommandError(
      "augment= crops and flips images, and '\(samples.name)' holds samples of shape "
        + "\(samples.dataset.sampleShape), not [channels, height, width]",
      parameter: "augment", hint: "leave out augment= for non-image data")
  }

  /// `, augmented (crop, flip)` for lineage stages, or nothing.
  static func stageNote(_ augmentation: ImageAugmentation) -> String {
    augmentation.isEnabled ? ", augmented (\(augmentation.names.joined(separator: ", ")))" : ""
  }
}
