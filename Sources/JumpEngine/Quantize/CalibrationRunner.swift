/// Calibrates a model: streams a dataset through the float executor in batches, observing every value.
///
/// ```swift
/// let calibrator = try Calibrator(model: model, options: CalibrationOptions(method: .percentile))
/// let calibration = try calibrator.calibrate(dataset, datasetName: "operational")
/// calibration.range(of: "input")  // CalibrationRange(min: 0, max: 1, ...)
/// ```
///
/// Memory is the executor's (planned once for one batch), one batch of data, and one observer per tensor
/// (two floats, or a histogram of `bins` counts): it does not grow with the number of samples. The
/// statistics of one tensor are updated by a pointer loop over the executor's own buffer, while it is live.
public final class Calibrator {
  /// The model being calibrated.
  public let model: Model
  /// What the calibration does.
  public let options: CalibrationOptions
  /// The identity recorded in the result.
  public let identity: CalibrationModelIdentity
  /// The executor, planned to keep every value observable.
  let executor: FloatExecutor

  /// Plans the float executor for `model` with every value observable.
  ///
  /// Throws `invalidData` for out-of-range options and the executor's errors for a model it cannot run.
  public init(model: Model, options: CalibrationOptions = CalibrationOptions()) throws(EngineError) {
    try options.validate()
    self.model = model
    self.options = options
    identity = CalibrationModelIdentity(model)
    executor = try FloatExecutor(
      model: model, batchSize: options.batchSize, threads: options.threads, observing: .all)
  }

  /// Streams `dataset` (at most `options.sampleLimit` samples, from the first) and returns the ranges.
  ///
  /// `isCancelled` is polled before every batch and every op (throwing `cancelled`); `progress` receives
  /// `(samples done, samples in total)` after every batch. Throws `invalidData` naming the dataset's file
  /// when its samples do not have the model's input shape or it has no samples.
  public func calibrate(
    _ dataset: Dataset, datasetName: String? = nil, isCancelled: () -> Bool = { false },
    progress: (Int, Int) -> Void = { _, _ in }
  ) throws(EngineError) -> Calibration {
    let view = options.sampleLimit.map { dataset.prefix($0) } ?? dataset
    try checkShape(view)
    guard view.count > 0 else { throw EngineError.invalidData(dataset.path, "the dataset has no samples") }
    let bins = options.method.needsHistogram ? options.bins : nil
    var observers: [CalibrationObserver] = []
    var index: [String: Int] = [:]
    var batches = view.batches(size: options.batchSize)
    var done = 0
    var reference = CalibrationReferenceCollector(
      wanted: min(options.referenceSamples, view.count), model: model)
    var tapMeans = CalibrationTapMeansCollector(
      model: model,
      wanted: min(options.referenceSamples, BiasCorrectionOptions().sampleLimit ?? .max, view.count))
    while true {
      if isCancelled() { throw EngineError(.cancelled, "\(dataset.path): calibration cancelled") }
      guard let batch = try batches.next() else { break }
      tapMeans.begin(batch: batch.positions.count)
      let outputs = try executor.run(input: batch.x, isCancelled: isCancelled) { view in
        tapMeans.observe(view)
        if let slot = index[view.name] {
          observers[slot].observe(view.values)
        } else {
          index[view.name] = observers.count
          var observer = CalibrationObserver(name: view.name, bins: bins)
          observer.observe(view.values)
          observers.append(observer)
        }
      }
      reference.add(outputs, input: batch.x)
      tapMeans.end(input: batch.x)
      done += batch.positions.count
      progress(done, view.count)
    }
    var ranges: [String: CalibrationRange] = [:]
    for observer in observers {
      ranges[observer.name] = CalibrationRangeSearch.range(
        observer, method: options.method, percentile: options.percentile)
    }
    return Calibration(
      method: options.method, percentile: options.method == .percentile ? options.percentile : nil,
      bins: bins ?? 0, sampleCount: done, datasetName: datasetName, datasetPath: dataset.path,
      model: identity, tensorNames: observers.map(\.name), ranges: ranges,
      nonFiniteCount: observers.reduce(0) { $0 + $1.nonFiniteCount }, reference: reference.reference,
      tapMeans: tapMeans.result)
  }

  /// The dataset's samples must have the model's input shape (the batch axis aside).
  func checkShape(_ dataset: Dataset) throws(EngineError) {
    guard let input = model.inputs.first else { return }
    let expected = input.shape.dropFirst()
    let sample = dataset.sampleShape
    let matches =
      expected.count == sample.count
      && zip(expected, sample).allSatisfy { dim, size in dim.value.map { $0 == size } ?? true }
    guard !matches else { return }
    let want = expected.map { $0.value.map(String.init) ?? "?" }.joined(separator: "×")
    let have = sample.map(String.init).joined(separator: "×")
    throw EngineError.invalidData(
      dataset.path, "samples are \(have) but the model's input '\(input.name)' takes \(want)")
  }
}
