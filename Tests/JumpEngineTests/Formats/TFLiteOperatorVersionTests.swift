import Foundation
import Testing

@testable import JumpEngine

@Suite("TFLite operator versions")
struct TFLiteOperatorVersionTests {
  typealias Model = TFLiteModel

  /// A model of one operator: input, optional weight, output (types and per-channel scale counts given).
  static func single(
    _ op: TFLiteBuiltinOperator, input: TFLiteTensorType, weight: TFLiteTensorType? = nil,
    output: TFLiteTensorType, weightScales: Int = 1, scales: (Float, Float, Float) = (1, 1, 1),
    inputShape: [Int] = [1, 4, 4, 8], weightShape: [Int] = [8, 3, 3, 8], extraInputs: Int = 0,
    options: TFLiteBuiltinOptions = .none
  ) -> (Model, Model.Operator) {
    var model = Model(name: "m", description: "")
    func quantization(_ type: TFLiteTensorType, _ scale: Float, count: Int = 1) -> Model.Quantization? {
      type == .float32
        ? nil
        : Model.Quantization(
          scales: Array(repeating: scale, count: count), zeroPoints: Array(repeating: 0, count: count),
          dimension: 0)
    }
    let x = model.addTensor(
      .init(name: "x", shape: inputShape, type: input, buffer: 0, quantization: quantization(input, scales.0))
    )
    var inputs = [x]
    if let weight {
      let buffer = model.addBuffer([1])
      inputs.append(
        model.addTensor(
          .init(
            name: "w", shape: weightShape, type: weight, buffer: buffer,
            quantization: quantization(weight, scales.1, count: weightScales))))
    }
    for i in 0..<extraInputs {
      inputs.append(model.addTensor(.init(name: "b\(i)", shape: [8], type: .int32, buffer: 0)))
    }
    let y = model.addTensor(
      .init(
        name: "y", shape: [1, 4, 4, 8], type: output, buffer: 0, quantization: quantization(output, scales.2))
    )
    let node = Model.Operator(op: op, inputs: inputs, outputs: [y], options: options)
    model.operators.append(node)
    return (model, node)
  }

  static func version(_ pair: (Model, Model.Operator)) -> Int32 {
    TFLiteOperatorVersion.version(of: pair.1, in: pair.0)
  }

  @Test("convolutions and FULLY_CONNECTED: int8 3/3/4, int4 weights 7/3/10, 16x8 and float 1")
  func weighted() {
    let v = Self.version
    #expect(v(Self.single(.conv2D, input: .int8, weight: .int8, output: .int8, extraInputs: 1)) == 3)
    #expect(v(Self.single(.conv2D, input: .int8, weight: .int4, output: .int8, extraInputs: 1)) == 7)
    #expect(v(Self.single(.conv2D, input: .int16, weight: .int8, output: .int16, extraInputs: 1)) == 1)
    #expect(v(Self.single(.conv2D, input: .float32, weight: .float32, output: .float32, extraInputs: 1)) == 1)
    // A filter with fewer input channels than the input is a grouped convolution.
    #expect(
      v(
        Self.single(
          .conv2D, input: .int8, weight: .int8, output: .int8, weightShape: [8, 3, 3, 4], extraInputs: 1))
        == 6)
    let depthwise: TFLiteBuiltinOptions = .depthwiseConv2D(
      padding: .same, strideH: 1, strideW: 1, depthMultiplier: 1, dilationH: 1, dilationW: 1,
      activation: .none)
    let dilated: TFLiteBuiltinOptions = .depthwiseConv2D(
      padding: .same, strideH: 1, strideW: 1, depthMultiplier: 1, dilationH: 2, dilationW: 2,
      activation: .none)
    #expect(
      v(Self.single(.depthwiseConv2D, input: .int8, weight: .int8, output: .int8, options: depthwise)) == 3)
    // The rules say 7, which LiteRT does not register: written as the int8 variant (see the source).
    #expect(
      v(Self.single(.depthwiseConv2D, input: .int8, weight: .int4, output: .int8, options: depthwise)) == 3)
    #expect(
      v(Self.single(.depthwiseConv2D, input: .int16, weight: .int8, output: .int16, options: depthwise)) == 1)
    #expect(
      v(Self.single(.depthwiseConv2D, input: .int16, weight: .int8, output: .int16, options: dilated)) == 2)
    let fc: TFLiteBuiltinOptions = .fullyConnected(activation: .none)
    #expect(v(Self.single(.fullyConnected, input: .int8, weight: .int8, output: .int8, extraInputs: 1)) == 4)
    #expect(v(Self.single(.fullyConnected, input: .int8, weight: .int4, output: .int8, extraInputs: 1)) == 10)
    #expect(
      v(
        Self.single(
          .fullyConnected, input: .int16, weight: .int8, output: .int16, extraInputs: 1, options: fc))
        == 1)
    // Without a bias input.
    #expect(v(Self.single(.fullyConnected, input: .int8, weight: .int8, output: .int8)) == 6)
  }

  @Test("element-wise, pooling and shape ops: int8 2, int16 3 (SUB 5), float 1")
  func elementwise() {
    let v = Self.version
    for op in [
      TFLiteBuiltinOperator.logistic, .averagePool2D, .maxPool2D, .softmax, .mean, .concatenation, .pad,
    ] {
      #expect(v(Self.single(op, input: .int8, output: .int8)) == 2, "\(op)")
      #expect(v(Self.single(op, input: .int16, output: .int16)) == 3, "\(op)")
      #expect(v(Self.single(op, input: .float32, output: .float32)) == 1, "\(op)")
    }
    #expect(v(Self.single(.add, input: .int8, weight: .int8, output: .int8)) == 2)
    #expect(v(Self.single(.add, input: .int16, weight: .int16, output: .int16)) == 3)
    #expect(v(Self.single(.sub, input: .int8, weight: .int8, output: .int8)) == 2)
    #expect(v(Self.single(.sub, input: .int16, weight: .int16, output: .int16)) == 5)
    #expect(v(Self.single(.pad, input: .int8, output: .int8, inputShape: [1, 1, 4, 4, 8])) == 4)
    for op in [TFLiteBuiltinOperator.reshape, .hardSwish, .reluN1To1] {
      #expect(v(Self.single(op, input: .int8, output: .int8)) == 1, "\(op)")
    }
  }

  @Test("MUL: int8 2, int8 with a rescale of at least 1 3, int16 4")
  func mul() {
    let v = Self.version
    #expect(v(Self.single(.mul, input: .int8, weight: .int8, output: .int8, scales: (0.1, 0.1, 0.1))) == 2)
    #expect(v(Self.single(.mul, input: .int8, weight: .int8, output: .int8, scales: (0.1, 0.1, 0.01))) == 3)
    #expect(v(Self.single(.mul, input: .int16, weight: .int16, output: .int16)) == 4)
    #expect(v(Self.single(.mul, input: .float32, weight: .float32, output: .float32)) == 1)
  }

  @Test("QUANTIZE to int16 2, DEQUANTIZE from int8 2 and int16 3")
  func conversions() {
    let v = Self.version
    #expect(v(Self.single(.quantize, input: .float32, output: .int8)) == 1)
    #expect(v(Self.single(.quantize, input: .int8, output: .int8)) == 1)
    #expect(v(Self.single(.quantize, input: .float32, output: .int16)) == 2)
    #expect(v(Self.single(.dequantize, input: .int8, output: .float32)) == 2)
    #expect(v(Self.single(.dequantize, input: .int16, output: .float32)) == 3)
  }

  @Test("one code per operator, at the highest version among its operators")
  func highest() {
    var (model, _) = Self.single(.add, input: .float32, weight: .float32, output: .float32)
    let (wide, add16) = Self.single(.add, input: .int16, weight: .int16, output: .int16)
    let offset = model.tensors.count
    model.tensors += wide.tensors
    model.operators.append(
      .init(
        op: .add, inputs: add16.inputs.map { $0 + offset }, outputs: add16.outputs.map { $0 + offset },
        options: .none))
    #expect(TFLiteOperatorVersion.versions(model) == [.add: 3])
  }

  @Test("written files carry the versions: int8, int4 and int16x8 mnv3block, int16x8 gated")
  func written() throws {
    func versions(_ name: String, _ precision: QuantizationPrecision) throws -> [Int32: Int32] {
      let (_, graph, _) = try QuantizerTests.quantized(
        name, options: QuantizationOptions(precision: precision))
      let file = TFLiteTestReader(Array(try TFLiteExporter.serialize(graph)))
      var versions: [Int32: Int32] = [:]
      for op in file.operators { versions[op.code] = op.version }
      return versions
    }
    typealias Op = TFLiteBuiltinOperator
    let int8 = try versions("mnv3block", .int8)
    #expect(int8[Op.conv2D.rawValue] == 3 && int8[Op.depthwiseConv2D.rawValue] == 3)
    #expect(int8[Op.fullyConnected.rawValue] == 4 && int8[Op.add.rawValue] == 2)
    #expect(int8[Op.mean.rawValue] == 2 && int8[Op.hardSwish.rawValue] == 1)
    let int4 = try versions("mnv3block", .int4)
    #expect(int4[Op.conv2D.rawValue] == 7)
    let wide = try versions("mnv3block", .int16x8)
    #expect(wide[Op.add.rawValue] == 3 && wide[Op.mul.rawValue] == 4 && wide[Op.mean.rawValue] == 3)
    let gated = try versions("gated", .int16x8)
    #expect(gated[Op.logistic.rawValue] == 3)
  }
}
