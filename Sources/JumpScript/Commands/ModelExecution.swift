import JumpEngine

/// Something that runs a model on a batch: the float executor for float models, the integer
/// reference executor (TFLite's arithmetic) for quantized ones. Commands that stream data (`eval`, `predict`, `quantize`'s
/// error measurement) go through it, so a quantized model is always measured as the device runs it.
protocol BatchExecutor {
  func run(input: Tensor, isCancelled: () -> Bool) throws(EngineError) -> [Tensor]
}

extension FloatExecutor: BatchExecutor {}
extension IntegerExecutor: BatchExecutor {}

extension ModelValue {
  /// An executor for batches of up to `batchSize` samples; a quantized model runs with `arithmetic`'s
  /// integer arithmetic.
  func makeExecutor(
    batchSize: Int, threads: Int, arithmetic: IntegerArithmetic = .tfliteMicro
  ) throws(EngineError) -> any BatchExecutor {
    if let quantized {
      return try IntegerExecutor(
        graph: quantized.graph, batchSize: batchSize, threads: threads, arithmetic: arithmetic)
    }
    return try FloatExecutor(model: model, batchSize: batchSize, threads: threads)
  }

  /// How its numbers are computed, for result lines.
  var executionDescription: String { quantized == nil ? "float" : "\(precision) integer" }
}

/// The `arithmetic=` option of the commands that run a quantized model on the integer executor.
enum ArithmeticOption {
  static let parameter = Parameter(
    "arithmetic", .choice(IntegerArithmetic.allCases.map(\.rawValue)), default: .word("tflm"),
    help:
      "whose integer arithmetic a quantized model runs with: tflm (TFLite Micro), litert (LiteRT's reference "
      + "kernels) or single-rounding (TFLITE_SINGLE_ROUNDING builds)")

  /// The chosen arithmetic (TFLite Micro's unless given).
  static func value(_ arguments: BoundArguments) -> IntegerArithmetic {
    arguments.string("arithmetic").flatMap(IntegerArithmetic.init(rawValue:)) ?? .tfliteMicro
  }
}
