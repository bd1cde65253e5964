import JumpEngine

/// `quantize int8|int4|int16x8 [ptq|qat]`: post-training quantization of the working model with the
/// activation ranges of its calibration, following the TFLite integer spec. The result is a new
/// model holding the device graph; the float model it came from is kept.
///
/// Around the quantizer run two accuracy steps (`QuantizeCommand+Accuracy`): cross-layer
/// equalization of the float model when `equalize=true` (the equalized model is calibrated again
/// the same way), and bias correction on the calibration samples unless `bias_correction=false`.
/// `qat` fine-tunes through fake quantization first (`QuantizeCommand+QAT`) and converts the result
/// with the same quantizer.
enum QuantizeCommand: Command {
  static let signature = CommandSignature(
    name: "quantize",
    summary: "quantize a model to the TFLite integer spec with its calibration's activation ranges",
    positionals: [
      Parameter(
        "precision", .choice(["int8", "int4", "int16x8"]), required: true,
        help: "int8 (weights and activations), int4 (4-bit weights, 8-bit activations), int16x8"),
      Parameter(
        "mode", .choice(["ptq", "qat"]), default: .word("ptq"),
        help: "post-training quantization, or quantization-aware training on labelled data first"),
    ],
    options: [
      Parameter("per_channel", .boolean, default: .bool(true), help: "one weight scale per output channel"),
      Parameter(
        "bias_correction", .boolean, default: .bool(true),
        help: "correct each layer's output mean shift, measured on the calibration samples"),
      Parameter(
        "equalize", .boolean, default: .bool(false),
        help:
          "cross-layer equalization of consecutive convolutions first (helps per-tensor depthwise networks)"),
      Parameter(
        "skip", .list(.string), default: .list([]),
        help: "node names or op types to keep in float (where the target has float support)"),
      Parameter(
        "epochs", .integer(range: 1...1000), default: .number(Quantity(Double(qatDefaultEpochs))),
        help: "qat: passes over the training data"),
      Parameter(
        "lr", .number(.none, range: 1e-7...1), default: .number(Quantity(qatDefaultLearningRate)),
        help: "qat: Adam's learning rate"),
      Parameter(
        "batch", .integer(range: 1...4096), default: .number(Quantity(Double(qatDefaultBatch))),
        help: "qat: samples per training step"),
      Parameter(
        "ranges", .choice(QATRangeMode.allCases.map(\.rawValue)), default: .word("ema"),
        help: "qat: activation ranges follow a moving average of each batch's min/max, or are learned (LSQ)"),
      Parameter(
        "validate", .number(.none, range: 0.01...0.5),
        help: "qat: hold out this fraction of the data (a seeded draw), measure accuracy there after every "
          + "epoch and keep the best epoch"),
      AugmentOption.parameter("qat: "),
    ],
    prepositions: [
      (
        .on,
        Parameter(
          "dataset", .dataset,
          help: "qat: the labelled training data (default: the dataset named \(qatDefaultDataset))")
      ),
      (.from, Parameter("model", .model, help: "the float model to quantize (default: the working model)")),
      (.as, Parameter("name", .newName, help: "name of the result (default: MODEL_PRECISION)")),
    ],
    examples: [
      "calibrate on operational", "quantize int8 ptq", "quantize int8 per_channel=false as per_tensor",
      "quantize int8 per_channel=false equalize=true", "quantize int4 bias_correction=false",
      "quantize int8 qat epochs=10 on train lr=1e-4 validate=0.1",
      "quantize int4 qat epochs=3 ranges=learned",
    ],
    defaultModelName: { arguments, base in "\(base)_\(arguments.string("precision") ?? "int8")" })

  static func run(_ arguments: BoundArguments, in context: inout CommandContext) throws(CommandError) -> Value
  {
    guard let model = arguments.model("model") ?? context.state.workingModel else {
      throw CommandError("there is no model to quantize", hint: "load one first: load \"model.onnx\"")
    }
    if model.quantized != nil {
      throw CommandError(
        "'\(model.name)' is already quantized (\(model.precision))", parameter: "model",
        hint: "quantize the float model it came from, with `from MODEL`")
    }
    let precision = QuantizationPrecision(rawValue: arguments.string("precision") ?? "int8") ?? .int8
    let skip = SkipList(listStrings(arguments.value("skip")))
    try checkModeOptions(arguments)
    try checkSkipList(skip, of: model)
    if arguments.string("mode") == "qat" {
      return try runQAT(arguments, model: model, precision: precision, skip: skip, in: &context)
    }
    var options = QuantizationOptions(
      precision: precision, perChannel: arguments.bool("per_channel") ?? true, skip: skip,
      biasCorrection: false, equalize: false)
    let calibration = try calibration(for: model, in: &context)

    var floatModel = model.model
    var ranges = calibration.calibration.closedRanges
    var tapMeans = calibration.calibration.tapMeans
    var equalization: EqualizationReport?
    if arguments.bool("equalize") ?? false {
      let (equalized, report) = try equalize(model, like: calibration, in: context)
      equalization = report
      if let equalized {
        floatModel = equalized.model
        ranges = equalized.calibration.closedRanges
        tapMeans = equalized.calibration.tapMeans
        options.equalize = true
      }
    }
    let lowered: LoweredGraph
    var graph: QuantizedGraph
    do {
      lowered = try Lowering.lower(floatModel, skip: skip)
      graph = try Quantizer.quantize(lowered, ranges: ranges, options: options)
    } catch {
      throw CommandError(error)
    }
    var biasCorrection: BiasCorrectionReport?
    if arguments.bool("bias_correction") ?? true {
      let (corrected, report) = try correctBiases(
        graph, lowered: lowered, calibration: calibration, floatTapMeans: tapMeans, in: context)
      graph = corrected
      biasCorrection = report
      options.biasCorrection = !report.layers.isEmpty
    }
    let described =
      "\(calibration.calibration.methodDescription) on \(calibration.datasetName)"
    let quantized = QuantizedModel(
      graph: graph, lowered: lowered, options: options, calibrationDescription: described,
      calibrationDataset: calibration.datasetName)
    let name = arguments.string("name") ?? context.state.freshModelName("\(model.name)_\(precision.rawValue)")
    var stage =
      "quantize \(precision.rawValue) ptq (\(options.perChannel ? "per-channel" : "per-tensor"), \(described))"
    if options.equalize { stage += ", equalized" }
    if options.biasCorrection { stage += ", bias-corrected" }
    let value = ModelValue(
      name: name, model: model.model, lineage: model.lineage + [stage], quantized: quantized)
    let sqnr = try outputSQNR(
      value, reference: model, calibration: calibration, context: context,
      deviceOutputs: biasCorrection.map { ($0.outputs, $0.samples) })
    context.state.store(value)
    return .record(
      record(value, from: model, sqnr: sqnr, equalization: equalization, biasCorrection: biasCorrection))
  }

  /// The model's calibration; without one, calibrates on `operational` when it exists and says so.
  static func calibration(
    for model: ModelValue, in context: inout CommandContext
  ) throws(CommandError)
    -> CalibrationValue
  {
    if let existing = context.state.calibrations[model.name], existing.calibration.model.matches(model.model)
    {
      return existing
    }
    guard let dataset = context.state.dataset(named: CalibrateCommand.defaultDataset) else {
      throw CommandError(
        "'\(model.name)' has no calibration",
        hint: "run `calibrate on DATASET` first (or declare a dataset named 'operational')")
    }
    context.environment.log(
      "quantize: '\(model.name)' has no calibration; calibrating on '\(dataset.name)' (method=minmax)")
    do {
      let calibrator = try Calibrator(
        model: model.model, options: CalibrationOptions(threads: context.state.threads))
      let calibration = try calibrator.calibrate(
        dataset.dataset, datasetName: dataset.name, isCancelled: context.environment.isCancelled)
      let value = CalibrationValue(modelName: model.name, datasetName: dataset.name, calibration: calibration)
      context.state.calibrations[model.name] = value
      return value
    } catch {
      if error.kind == .cancelled { throw CommandError("interrupted", exitCode: .interrupted) }
      throw CommandError(error)
    }
  }

  /// Output SQNR of the quantized model against the float one on up to 64 calibration samples.
  ///
  /// The float outputs come from the calibration pass when it kept them for these samples (the float
  /// model then runs once per `calibrate` + `quantize`), otherwise from a float run here. The quantized
  /// outputs are `deviceOutputs` when they are the first output's device values on the same leading
  /// samples (bias correction's last pass computes them), otherwise an integer run here.
  static func outputSQNR(
    _ quantized: ModelValue, reference: ModelValue, calibration: CalibrationValue, context: CommandContext,
    deviceOutputs: (outputs: [Tensor], samples: Int)? = nil
  ) throws(CommandError) -> (decibels: Double, samples: Int)? {
    guard let dataset = context.state.dataset(named: calibration.datasetName), dataset.dataset.count > 0
    else {
      return nil
    }
    let count = min(CalibrationReference.defaultSamples, dataset.dataset.count)
    do {
      let batch = try dataset.dataset.batch(0..<count)
      let expected: Tensor
      if let kept = calibration.calibration.reference?.output(for: batch.x) {
        expected = kept
      } else {
        let float = try reference.makeExecutor(batchSize: count, threads: context.state.threads)
        guard let output = try float.run(input: batch.x, isCancelled: context.environment.isCancelled).first
        else { return nil }
        expected = output
      }
      let actual: Tensor
      if let deviceOutputs, deviceOutputs.samples == count, let first = deviceOutputs.outputs.first {
        actual = first
      } else {
        let device = try quantized.makeExecutor(batchSize: count, threads: context.state.threads)
        guard let output = try device.run(input: batch.x, isCancelled: context.environment.isCancelled).first
        else { return nil }
        actual = output
      }
      let decibels = QuantizationErrorReport.sqnr(
        reference: expected.asFloats(), approximation: actual.asFloats())
      return (decibels, count)
    } catch {
      throw CommandError(error)
    }
  }

  /// The result: `NAME: int8 per-channel[, equalized ...][, bias-corrected], N ops, weights A -> B, output SQNR`.
  static func record(
    _ value: ModelValue, from model: ModelValue, sqnr: (decibels: Double, samples: Int)?,
    equalization: EqualizationReport? = nil, biasCorrection: BiasCorrectionReport? = nil
  ) -> Record {
    guard let quantized = value.quantized else {
      return Record(kind: "model", fields: [], text: value.summaryLine)
    }
    let options = quantized.options
    var steps = ""
    if let equalization { steps += ", " + describe(equalization) }
    if options.biasCorrection { steps += ", bias-corrected" }
    var text =
      "\(value.name): \(options.precision.rawValue) \(options.perChannel ? "per-channel" : "per-tensor")"
      + "\(steps), "
      + "\(quantized.graph.nodes.count) ops, weights \(ValueFormatter.bytes(Double(model.weightBytes))) -> "
      + "\(ValueFormatter.bytes(Double(value.weightBytes)))"
    var fields: [(name: String, value: Value)] = [
      ("name", .string(value.name)), ("precision", .string(options.precision.rawValue)),
      ("per_channel", .bool(options.perChannel)), ("bias_correction", .bool(options.biasCorrection)),
      ("equalized", .number(Quantity(Double(equalization?.groups.count ?? 0)))),
      ("ops", .number(Quantity(Double(quantized.graph.nodes.count)))),
      ("size", .number(.bytes(value.weightBytes))), ("float_size", .number(.bytes(model.weightBytes))),
    ]
    if let sqnr {
      text +=
        ", output SQNR \(EvalCommand.decibels(sqnr.decibels)) vs \(model.name) on \(sqnr.samples) samples"
      fields.append(("sqnr_db", .number(Quantity(sqnr.decibels))))
    }
    return Record(kind: "quantize", fields: fields, text: text)
  }

  private static func listStrings(_ value: Value?) -> [String] {
    guard case .list(let elements)? = value else { return [] }
    return elements.compactMap { element in
      switch element {
      case .string(let text), .word(let text): return text
      default: return nil
      }
    }
  }

  /// Fails before any work when a `skip=` entry names nothing in the model.
  static func checkSkipList(_ skip: SkipList, of model: ModelValue) throws(CommandError) {
    guard !skip.isEmpty else { return }
    let lowered: LoweredGraph
    do {
      lowered = try Lowering.lower(model.model, skip: skip)
    } catch {
      throw CommandError(error)
    }
    let unmatched = skip.unmatched(in: lowered)
    guard let first = unmatched.first else { return }
    let names = unmatched.map { "'\($0)'" }.joined(separator: ", ")
    throw CommandError(
      "skip: \(names) \(unmatched.count == 1 ? "names" : "name") no layer or op type of '\(model.name)'",
      parameter: "skip",
      hint:
        "give node names as `report` lists them (e.g. '\(lowered.graph.nodes.first?.sources.first ?? first)') "
        + "or op types (Conv, HardSwish, CONV_2D)")
  }
}
