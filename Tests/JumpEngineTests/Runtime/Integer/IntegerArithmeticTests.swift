import Foundation
import JumpEngine
import Testing

/// Each runtime's arithmetic: where LiteRT's reference kernels round like TFLite Micro and where they do not.
@Suite struct IntegerArithmeticTests {
  typealias I = IntegerExecutorSupport

  /// The raw outputs of `graph` on `x` with `arithmetic`.
  func outputs(_ graph: QuantizedGraph, _ x: Tensor, _ arithmetic: IntegerArithmetic) throws -> [Float] {
    let executor = try IntegerExecutor(graph: graph, batchSize: 16, arithmetic: arithmetic)
    return try #require(try executor.run(input: x)[0].floats)
  }

  /// 256 seeded samples shaped like `like`'s, uniform in [-2, 2): enough requantizations for ties to occur.
  func samples(like like: Tensor) -> Tensor {
    var random = SplitMix64(seed: 7)
    let shape = [256] + like.shape.dropFirst()
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, floats: (0..<count).map { _ in Float(random.double(-2, 2)) })
  }

  @Test("LiteRT rounds per-channel FULLY_CONNECTED once, as single-rounding builds do")
  func perChannelFullyConnected() throws {
    // The MLP fixture is FULLY_CONNECTED layers only: with per-channel weights every requantization is
    // one LiteRT rounds once.
    let calibration = try I.calibration("mlp")
    let graph = try I.quantized("mlp", options: .init(), calibration: calibration)
    let x = samples(like: calibration)
    let micro = try outputs(graph, x, .tfliteMicro)
    let single = try outputs(graph, x, .singleRounding)
    // The two roundings really differ on this data, so the next line can fail.
    #expect(micro != single)
    #expect(try outputs(graph, x, .liteRT) == single)
  }

  @Test("with per-tensor weights and in convolutions LiteRT rounds as TFLite Micro does")
  func everythingElse() throws {
    let calibration = try I.calibration("mlp")
    let perTensor = try I.quantized("mlp", options: .init(perChannel: false), calibration: calibration)
    let x = samples(like: calibration)
    #expect(try outputs(perTensor, x, .liteRT) == outputs(perTensor, x, .tfliteMicro))
    // DS-CNN: convolutions and depthwise convolutions, then one per-channel FULLY_CONNECTED at the end.
    let dsCalibration = try I.calibration("dscnn")
    let dscnn = try I.quantized("dscnn", options: .init(), calibration: dsCalibration)
    let dsX = samples(like: dsCalibration)
    let micro = try outputs(dscnn, dsX, .tfliteMicro)
    let liteRT = try outputs(dscnn, dsX, .liteRT)
    #expect(micro.count == liteRT.count)
    let step = try #require(dscnn.tensor(dscnn.outputs[0]).quantization?.scales.first)
    for (a, b) in zip(micro, liteRT) { #expect(abs(a - b) <= step * 1.01) }
  }

  @Test("the option's words and the runtimes they name")
  func names() {
    #expect(IntegerArithmetic.allCases.map(\.rawValue) == ["tflm", "litert", "single-rounding"])
    #expect(IntegerArithmetic.tfliteMicro.rounding == .double)
    #expect(IntegerArithmetic.liteRT.rounding == .double)
    #expect(IntegerArithmetic.singleRounding.rounding == .single)
  }
}
