import JumpEngine

/// The checked arguments of `distill`: every combination that cannot work is refused here, before the
/// teacher runs.
struct DistillRequest {
  let teacher: ModelValue
  let architecture: StudentArchitecture
  let options: StudentOptions
  let autoWidth: Bool
  let data: DatasetValue
  let labels: DatasetValue?
  let epochs: Int
  /// Random crops and flips of the training batches (`augment=`).
  let augmentation: ImageAugmentation
  let temperature: Double
  let alpha: Double
  let learningRate: Double
  let batch: Int
  let sampleShape: [Int]
  let classes: Int

  /// The data when `on` names none.
  static let defaultDataset = "operational"

  init(_ arguments: BoundArguments, state: SessionState) throws(CommandError) {
    guard let teacher = arguments.model("model") ?? state.workingModel else {
      throw CommandError("there is no teacher to distill from", hint: "load one first: load \"model.onnx\"")
    }
    self.teacher = teacher
    let name = arguments.string("student") ?? ""
    guard let architecture = StudentArchitecture(rawValue: name) else {
      let known = StudentArchitecture.allCases.map(\.rawValue)
      throw CommandError(
        "unknown student '\(name)' (known: \(known.joined(separator: ", ")))", parameter: "student",
        hint: Suggestion.closest(to: name, in: known).map { "did you mean '\($0)'?" })
    }
    self.architecture = architecture
    autoWidth = arguments.string("width") == "auto"
    var options = StudentOptions()
    if arguments.isGiven("width") && !architecture.hasWidth {
      throw CommandError(
        "\(name) has no width", parameter: "width", hint: "size an mlp with hidden=[...]")
    }
    if arguments.isGiven("depth") && !architecture.hasDepth {
      throw CommandError(
        "\(name) has no depth option", parameter: "depth", hint: "depth= applies to dscnn and cnn")
    }
    if arguments.isGiven("hidden") && architecture != .mlp {
      throw CommandError("hidden= applies to mlp only", parameter: "hidden", hint: "size \(name) with width=")
    }
    if !autoWidth, let width = arguments.number("width") {
      guard StudentArchitecture.widthRange.contains(width) else {
        throw CommandError(
          "width \(ValueFormatter.plain(width)) is out of range", parameter: "width",
          hint: "give a multiplier in \(StudentArchitecture.widthRange.lowerBound)..."
            + "\(StudentArchitecture.widthRange.upperBound), or width=auto with a target")
      }
      options.width = width
    }
    if autoWidth && state.target == nil {
      throw CommandError(
        "width=auto sizes the student for the target, and no target is set", parameter: "width",
        hint: "select one first (`target pico`), or give a number: width=0.5")
    }
    options.depth = arguments.integer("depth")
    if case .list(let items)? = arguments.value("hidden") {
      options.hidden = items.compactMap { if case .number(let q) = $0 { Int(q.value) } else { nil } }
    }
    self.options = options
    guard let data = arguments.dataset("dataset") ?? state.dataset(named: Self.defaultDataset) else {
      throw CommandError(
        "distill needs the data to learn on: name it with 'on DATASET' or declare a dataset named "
          + "'\(Self.defaultDataset)'",
        parameter: "dataset", hint: "dataset operational = \"path/to/operational.npz\"")
    }
    self.data = data
    temperature = arguments.number("temperature") ?? 4
    guard temperature > 0, temperature.isFinite else {
      throw CommandError(
        "temperature must be positive, got \(ValueFormatter.plain(temperature))", parameter: "temperature",
        hint: "soften the teacher's outputs with T > 1 (2 to 8 is usual); T = 1 is the plain softmax")
    }
    labels = arguments.dataset("labels")
    if let labels {
      guard labels.dataset.hasLabels else {
        throw CommandError(
          "dataset '\(labels.name)' has no labels", parameter: "labels",
          hint: "labels= names a dataset with a `y` array for the same samples")
      }
      guard labels.dataset.source.sampleCount == data.dataset.source.sampleCount else {
        throw CommandError(
          "labels '\(labels.name)' has \(labels.dataset.source.sampleCount) samples, '\(data.name)' has "
            + "\(data.dataset.source.sampleCount)",
          parameter: "labels", hint: "labels must belong to the same samples, in the same order")
      }
    }
    let alpha = arguments.number("alpha") ?? (labels == nil ? 1 : 0.9)
    guard alpha >= 0, alpha <= 1 else {
      throw CommandError("alpha must be in [0, 1], got \(ValueFormatter.plain(alpha))", parameter: "alpha")
    }
    if labels == nil && arguments.isGiven("alpha") && alpha < 1 {
      throw CommandError(
        "alpha=\(ValueFormatter.plain(alpha)) weighs a label loss, and there are no labels",
        parameter: "alpha",
        hint: "add labels=DATASET, or leave out alpha= (it is 1 without labels)")
    }
    self.alpha = alpha
    epochs = arguments.integer("epochs") ?? 30
    augmentation = AugmentOption.augmentation(arguments)
    learningRate = arguments.number("lr") ?? 3e-3
    batch = arguments.integer("batch") ?? 32
    let graph = teacher.model.graph
    guard graph.inputs.count == 1, let input = graph.inputs.first else {
      throw CommandError(
        "'\(teacher.name)' has \(graph.inputs.count) inputs; a student is built for one input",
        parameter: "model")
    }
    let teacherShape = Array(input.shape.dropFirst())
    sampleShape = data.dataset.sampleShape
    guard teacherShape.count == sampleShape.count,
      zip(teacherShape, sampleShape).allSatisfy({ $0.value == nil || $0.value == $1 })
    else {
      throw CommandError(
        "the samples of '\(data.name)' have shape \(sampleShape), the teacher's input is "
          + ValueInfo.format(Array(input.shape.dropFirst())),
        parameter: "dataset", hint: "the student takes the teacher's input; distill on data the teacher reads"
      )
    }
    guard let output = graph.outputs.first, output.shape.count == 2, let classes = output.shape[1].value,
      classes >= 2
    else {
      let shape = graph.outputs.first.map { ValueInfo.format($0.shape) } ?? "none"
      throw CommandError(
        "'\(teacher.name)' has no classification output (its first output is \(shape)); distillation needs "
          + "a teacher whose output is [batch, classes] scores to match",
        parameter: "model", hint: "distill from a classifier (logits or softmax probabilities)")
    }
    self.classes = classes
  }

  /// The lineage stage, with teacher, data and every setting.
  func stage(width: Double, seed: UInt64) -> String {
    var text = "distill \(architecture.rawValue)"
    if architecture.hasWidth { text += " width \(ValueFormatter.plain(width))\(autoWidth ? " (auto)" : "")" }
    if let depth = options.depth { text += " depth \(depth)" }
    if let hidden = options.hidden { text += " hidden \(hidden)" }
    text += " from \(teacher.name)"
    if let sha = teacher.model.provenance.sha256 { text += " (sha256 \(sha.prefix(12)))" }
    text +=
      " on \(data.name) (\(epochs) epochs, T \(ValueFormatter.plain(temperature)), alpha "
      + "\(ValueFormatter.plain(alpha)), lr \(ValueFormatter.plain(learningRate)), batch \(batch), seed \(seed)"
    if let labels { text += ", labels \(labels.name)" }
    if augmentation.isEnabled { text += ", augment \(augmentation.names.joined(separator: "+"))" }
    return text + ")"
  }
}
