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

  @Test("LiteRT's MUL multiplier comes from float scales: a one-MUL graph over every input code")
  func mulMultiplierFromFloatScales() throws {
    // x · c with scales where LiteRT's float multiplier and TFLite Micro's double one round two of the
    // 256 input codes apart (LiteRT's reference MUL gives -7 and -19 there; see the MUL kernel tests).
    let (xScale, cScale, outScale): (Float, Float, Float) = (
      0.013949559070169926, 0.08705306053161621, 0.3359427750110626
    )
    let tensors: [String: QuantizedTensor] = [
      "x": QuantizedTensor(
        name: "x", shape: [1, 256], elementType: .int8,
        quantization: QuantizationParameters(scale: xScale, zeroPoint: 2)),
      "c": QuantizedTensor(
        name: "c", shape: [1, 1], elementType: .int8,
        quantization: QuantizationParameters(scale: cScale, zeroPoint: -17), data: .int8([-56])),
      "y": QuantizedTensor(
        name: "y", shape: [1, 256], elementType: .int8,
        quantization: QuantizationParameters(scale: outScale, zeroPoint: -13)),
    ]
    let graph = QuantizedGraph(
      name: "mul", tensors: tensors, inputs: ["x"], outputs: ["y"],
      nodes: [QuantizedNode(name: "mul", op: .mul(activation: .none), inputs: ["x", "c"], outputs: ["y"])])
    let codes = Array(-128...127)
    let x = Tensor(shape: [1, 256], floats: codes.map { Float($0 - 2) * xScale })
    func outputs(_ arithmetic: IntegerArithmetic) throws -> [Int32] {
      try IntegerExecutor(graph: graph, batchSize: 1, arithmetic: arithmetic).runIntegers(input: x)[0].codes
    }
    let liteRT = try outputs(.liteRT)
    let micro = try outputs(.tfliteMicro)
    let differing = codes.indices.filter { liteRT[$0] != micro[$0] }
    #expect(differing.map { codes[$0] } == [-37, 41])
    #expect(differing.map { liteRT[$0] } == [-7, -19])
    #expect(try outputs(.singleRounding) == micro)
  }

  @Test("the option's words and the runtimes they name")
  func names() {
    #expect(IntegerArithmetic.allCases.map(\.rawValue) == ["tflm", "litert", "single-rounding"])
    #expect(IntegerArithmetic.tfliteMicro.rounding == .double)
    #expect(IntegerArithmetic.liteRT.rounding == .double)
    #expect(IntegerArithmetic.singleRounding.rounding == .single)
  }
}
