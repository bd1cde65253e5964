import JumpEngine

/// `distill student=ARCH [width=...] [on DATASET] [epochs=N] [temperature=T] [alpha=A] [lr=...] [batch=...]
/// [labels=DATASET]`: trains a zoo student on the teacher's softened outputs over the (usually unlabelled)
/// operational data, so it learns what the teacher does on the inputs the device will see.
///
/// The teacher runs once over the data and its logits are cached for the run; with `augment=` it reruns
/// on every augmented training batch instead. The last 20% of the samples
/// never train: after every epoch the student's top-1 agreement with the teacher there picks the epoch to
/// keep. The student becomes the working model, its lineage naming the teacher, the data and the settings.
enum DistillCommand: Command {
  static let signature = CommandSignature(
    name: "distill",
    summary: "train a smaller student from the zoo on the teacher's soft outputs over the operational data",
    options: [
      Parameter(
        "student", .choice(StudentArchitecture.allCases.map(\.rawValue)), required: true,
        help: "the student architecture:\n"
          + StudentArchitecture.allCases.map {
            "      \($0.rawValue.padding(toLength: 19, withPad: " ", startingAt: 0))\($0.summary)"
          }.joined(separator: "\n") + "\n     "),
      Parameter(
        "width", .numberOrWord(range: StudentArchitecture.widthRange, words: ["auto"]),
        default: .number(Quantity(1)),
        help:
          "channel multiplier; auto: the widest of 1, 0.75, 0.5, 0.35, 0.25 whose INT8 model fits the target"),
      Parameter(
        "depth", .integer(range: 1...12), help: "blocks (dscnn, default 4) or stages (cnn, default 3)"),
      Parameter(
        "hidden", .list(.integer(range: 1...65536)), help: "mlp hidden layer widths (default [128, 64])"),
      Parameter(
        "epochs", .integer(range: 1...10000), default: .number(Quantity(30)), help: "passes over the data"),
      Parameter(
        "temperature", .number(.none, range: nil), default: .number(Quantity(4)),
        help: "softmax temperature T of the soft targets (> 0)"),
      Parameter(
        "alpha", .number(.none, range: nil),
        help: "weight of the soft loss; 1 - alpha weighs the labels (default 1 without labels, 0.9 with)"),
      Parameter(
        "lr", .number(.none, range: 1e-7...1), default: .number(Quantity(3e-3)),
        help: "Adam's peak learning rate (cosine decay)"),
      Parameter("batch", .integer(range: 1...4096), default: .number(Quantity(32)), help: "samples per step"),
      Parameter("labels", .dataset, help: "a labelled dataset of the same samples, for the hard-label term"),
      AugmentOption.parameter("(the teacher then reruns on every augmented batch) "),
    ],
    prepositions: [
      (
        .on,
        Parameter("dataset", .dataset, help: "the data to learn on (default: the dataset named operational)")
      ),
      (.from, Parameter("model", .model, help: "the teacher (default: the working model)")),
      (.as, Parameter("name", .newName, help: "name of the student (default: ARCH)")),
    ],
    examples: [
      "distill student=mobilenetv3_small width=0.5 on operational epochs=30 temperature=4",
      "distill student=cnn on operational augment=[crop, flip]",
      "distill student=dscnn width=auto on operational", "distill student=mlp hidden=[256, 64] epochs=10",
      "distill student=cnn labels=train on train alpha=0.5 from teacher as small",
    ],
    defaultModelName: { arguments, _ in arguments.string("student") ?? "student" })

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    let request = try DistillRequest(arguments, state: context.state)
    let environment = context.environment
    let seed = context.state.seed ?? 0
    let threads = context.state.threads
    var options = request.options
    try AugmentOption.check(request.augmentation, samples: request.data)
    var sizing: [StudentSizing.Candidate] = []
    if request.autoWidth, let device = context.state.target {
      (options.width, sizing) = try autoWidth(request, device: device, in: context)
    }
    let teacher: TeacherOutputs
    let student: Model
    let labels: [Int64]?
    do {
      teacher = try TeacherOutputs.compute(
        request.teacher.model, on: request.data.dataset, batchSize: 64, threads: threads,
        isCancelled: environment.isCancelled)
      student = try request.architecture.build(
        sampleShape: request.sampleShape, classes: request.classes, options: options, seed: seed)
      labels = try request.labels.map { (value) throws(EngineError) -> [Int64] in
        try value.dataset.source.labels(at: Array(0..<value.dataset.source.sampleCount)).asInt64s()
      }
    } catch {
      if error.kind == .cancelled { throw CommandError("interrupted", exitCode: .interrupted) }
      throw CommandError(error, parameter: error.kind == .invalidModel ? "model" : "student")
    }
    for warning in try DistillWarnings.check(request, teacher: teacher, state: context.state) {
      environment.log("distill: warning: \(warning)")
    }
    let configuration: DistillationConfiguration
    do {
      configuration = DistillationConfiguration(
        epochs: request.epochs, batchSize: request.batch, learningRate: request.learningRate,
        objective: try DistillationObjective(temperature: request.temperature, alpha: request.alpha),
        seed: seed, augmentation: request.augmentation)
    } catch {
      throw CommandError(error, parameter: "temperature")
    }
    let result: DistillationResult
    do {
      result = try DistillationLoop.run(
        student, on: request.data.dataset, teacher: teacher, teacherModel: request.teacher.model,
        labels: labels,
        configuration: configuration,
        threads: threads, isCancelled: environment.isCancelled,
        progress: TrainingProgressLog(
          prefix: "distill", accuracyName: "agreement", validationName: "held-out"
        )
        .reporter(environment))
    } catch {
      if error.kind == .cancelled { throw CommandError("interrupted", exitCode: .interrupted) }
      throw CommandError(error, parameter: "dataset")
    }
    let name = arguments.string("name") ?? context.state.freshModelName(request.architecture.rawValue)
    let value = ModelValue(
      name: name, model: result.model,
      lineage: request.teacher.lineage + [request.stage(width: options.width, seed: seed)])
    context.state.store(value)
    return .record(record(value, request: request, width: options.width, result: result, sizing: sizing))
  }

  /// The widest ladder width whose INT8 model fits the target, logging each candidate's sizes.
  static func autoWidth(
    _ request: DistillRequest, device: Device, in context: CommandContext
  ) throws(CommandError) -> (Double, [StudentSizing.Candidate]) {
    let candidates: [StudentSizing.Candidate]
    do {
      candidates = try StudentSizing.candidates(
        request.architecture, options: request.options, sampleShape: request.sampleShape,
        classes: request.classes, device: device, samples: request.data.dataset,
        isCancelled: context.environment.isCancelled)
    } catch {
      if error.kind == .cancelled { throw CommandError("interrupted", exitCode: .interrupted) }
      throw CommandError(error, parameter: "width")
    }
    for candidate in candidates {
      context.environment.log(
        "distill: width \(ValueFormatter.plain(candidate.width)): int8 flash "
          + "\(ValueFormatter.bytes(Double(candidate.flashBytes))) of \(ValueFormatter.bytes(Double(device.flash))), "
          + "peak RAM \(ValueFormatter.bytes(Double(candidate.peakRAMBytes))) of "
          + "\(ValueFormatter.bytes(Double(device.ram))): \(candidate.fits ? "fits" : "too large")")
    }
    guard let chosen = candidates.last, chosen.fits else {
      let smallest = StudentArchitecture.widthLadder.min() ?? 0.25
      throw CommandError(
        "no width of \(request.architecture.rawValue) fits \(device.name): even width "
          + "\(ValueFormatter.plain(smallest)) needs \(ValueFormatter.bytes(Double(candidates.last?.peakRAMBytes ?? 0))) "
          + "of RAM and \(ValueFormatter.bytes(Double(candidates.last?.flashBytes ?? 0))) of flash",
        parameter: "width", hint: "try a smaller architecture (dscnn, cnn, mlp) or a larger target")
    }
    return (chosen.width, candidates)
  }

  /// `mobilenetv3_small: width 0.5, 0.12 M params (7.1x fewer than teacher), agreement 96.0% (epoch 27 of 30)`.
  static func record(
    _ value: ModelValue, request: DistillRequest, width: Double, result: DistillationResult,
    sizing: [StudentSizing.Candidate]
  ) -> Record {
    let params = value.summary.parameterCount
    let teacherParams = request.teacher.summary.parameterCount
    let ratio = Double(teacherParams) / Double(max(params, 1))
    let kept = result.epochs[result.keptEpoch - 1]
    var text = "\(value.name): \(request.architecture.rawValue)"
    if request.architecture.hasWidth { text += " width \(ValueFormatter.plain(width))" }
    let comparison =
      ratio >= 1
      ? "\(ValueFormatter.fixed(ratio, decimals: 1))x fewer than"
      : "\(ValueFormatter.fixed(1 / ratio, decimals: 1))x more than"
    text +=
      ", \(ValueFormatter.millions(params)) params (\(comparison) "
      + "\(request.teacher.name)), agreement with the teacher \(EvalCommand.percent(kept.agreement)) on "
      + "\(result.heldOutCount) held-out samples (epoch \(result.keptEpoch) of \(request.epochs) kept)"
    if let chosen = sizing.last {
      let rejected = sizing.dropLast().map { ValueFormatter.plain($0.width) }
      text +=
        "\nwidth=auto chose \(ValueFormatter.plain(chosen.width)): int8 flash "
        + "\(ValueFormatter.bytes(Double(chosen.flashBytes))), peak RAM \(ValueFormatter.bytes(Double(chosen.peakRAMBytes)))"
        + " fit the target" + (rejected.isEmpty ? "" : "; wider (\(rejected.joined(separator: ", "))) do not")
    }
    let fields: [(name: String, value: Value)] = [
      ("name", .string(value.name)), ("student", .string(request.architecture.rawValue)),
      ("width", .number(Quantity(width))), ("params", .number(Quantity(Double(params)))),
      ("teacher_params", .number(Quantity(Double(teacherParams)))),
      ("agreement", .number(Quantity(kept.agreement))),
      ("kept_epoch", .number(Quantity(Double(result.keptEpoch)))),
      ("loss", .number(Quantity(kept.loss))),
    ]
    return Record(kind: "distill", fields: fields, text: text)
  }
}
