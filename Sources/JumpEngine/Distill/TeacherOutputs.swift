import Foundation

/// The teacher's logits on every sample of a dataset, computed once per run and looked up by source index,
/// so shuffles and splits of the same dataset read the same rows.
///
/// A teacher that ends in Softmax gives probabilities; they are stored as their logarithms, which are
/// logits up to a constant per row (softmax is invariant to it), so the temperature applies the same way.
public struct TeacherOutputs: Sendable {
  /// The number of classes.
  public let classes: Int
  /// Logits, `classes` per source sample, by source index.
  let logits: [Float]
  /// Whether the source sample at each index was computed.
  let present: [Bool]

  /// Runs `model` (float) on every sample of `dataset` in batches of `batchSize`.
  ///
  /// Throws `invalidModel` when the model's first output is not `[N, K]` scores.
  public static func compute(
    _ model: Model, on dataset: Dataset, batchSize: Int = 64, threads: Int = 1,
    isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> TeacherOutputs {
    let executor = try FloatExecutor(model: model, batchSize: batchSize, threads: threads)
    let probabilities =
      model.graph.nodes.last.map { if case .softmax = $0.op { true } else { false } } ?? false
    return try compute(on: dataset, batchSize: batchSize, probabilities: probabilities) {
      (x) throws(EngineError) -> Tensor in
      guard let first = try executor.run(input: x, isCancelled: isCancelled).first else {
        throw EngineError(.invalidModel, "the teacher has no output")
      }
      return first
    }
  }

  /// Runs `run` on every sample of `dataset`; `probabilities` says the outputs are softmax probabilities.
  public static func compute(
    on dataset: Dataset, batchSize: Int, probabilities: Bool,
    run: (Tensor) throws(EngineError) -> Tensor
  ) throws(EngineError) -> TeacherOutputs {
    let total = dataset.source.sampleCount
    var classes = 0
    var logits: [Float] = []
    var present = [Bool](repeating: false, count: total)
    var batches = dataset.batches(size: batchSize)
    while let batch = try batches.next() {
      let output = try run(batch.x)
      guard output.rank == 2, output.shape[0] == batch.x.shape[0], output.shape[1] >= 2 else {
        throw EngineError(
          .invalidModel,
          "distillation needs a classifier: the teacher's output has shape \(output.shape), expected "
            + "[N, classes] scores with at least 2 classes")
      }
      if classes == 0 {
        classes = output.shape[1]
        logits = [Float](repeating: 0, count: total * classes)
      }
      let scores = probabilities ? Self.logits(fromProbabilities: output) : output
      let values = scores.floats ?? scores.asFloats()
      for (row, index) in dataset.sourceIndices(batch.positions).enumerated() {
        for j in 0..<classes { logits[index * classes + j] = values[row * classes + j] }
        present[index] = true
      }
    }
    return TeacherOutputs(classes: classes, logits: logits, present: present)
  }

  /// Logits standing for softmax `probabilities`: their logarithms (floored at 1e-12).
  static func logits(fromProbabilities probabilities: Tensor) -> Tensor {
    let values = probabilities.floats ?? probabilities.asFloats()
    return Tensor(shape: probabilities.shape, floats: values.map { Float(log(max(Double($0), 1e-12))) })
  }

  /// Runs the float `model` on each batch handed to the returned closure and gives its logits (the
  /// logarithms of its probabilities when it ends in Softmax), for teachers recomputed per batch when the
  /// inputs are augmented and cached rows would not match them.
  public static func live(
    _ model: Model, batchSize: Int, threads: Int = 1
  ) throws(EngineError) -> (Tensor) throws(EngineError) -> Tensor {
    let executor = try FloatExecutor(model: model, batchSize: batchSize, threads: threads)
    let probabilities = TrainingLoop.endsInSoftmax(model)
    return { (x) throws(EngineError) -> Tensor in
      guard let output = try executor.run(input: x).first else {
        throw EngineError(.invalidModel, "the teacher has no output")
      }
      return probabilities ? logits(fromProbabilities: output) : output
    }
  }

  /// The logits of the samples at `positions` of `view` (a shuffle or split of the dataset they were
  /// computed on), as `[count, classes]`.
  public func rows(_ positions: Range<Int>, of view: Dataset) throws(EngineError) -> Tensor {
    let indices = view.sourceIndices(positions)
    var out = [Float](repeating: 0, count: indices.count * classes)
    for (row, index) in indices.enumerated() {
      guard index < present.count, present[index] else {
        throw EngineError(.invalidData, "the teacher's outputs do not cover sample \(index)")
      }
      for j in 0..<classes { out[row * classes + j] = logits[index * classes + j] }
    }
    return Tensor(shape: [indices.count, classes], floats: out)
  }

  /// The teacher's predicted class of every computed sample, by source index.
  public var predictions: [Int] {
    (0..<present.count).filter { present[$0] }.map { index in
      var best = 0
      for j in 1..<classes where logits[index * classes + j] > logits[index * classes + best] { best = j }
      return best
    }
  }
}
