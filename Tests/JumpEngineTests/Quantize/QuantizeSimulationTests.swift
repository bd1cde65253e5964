import Foundation
import JumpEngine
import Testing

@testable import JumpEngine

/// Fake-quant simulation: accuracy against float, values on the integer grid, concatenation and float islands.
@Suite("Quantize: simulation")
struct QuantizeSimulationTests {
  typealias S = QuantizeTestSupport

  @Test("teacher: INT8 output SQNR > 30 dB with min/max ranges from operational.npz, top-1 agreement")
  func teacherAccuracy() throws {
    let model = try S.fixtureModel("teacher")
    let calibration = try #require(try S.operationalSamples(200))
    let lowered = try Lowering.lower(model)
    let quantized = try Quantizer.quantize(lowered, ranges: try S.minMaxRanges(model, calibration))
    let x = try #require(try S.operationalSamples(40))
    let reference = try FloatExecutor(model: model, batchSize: 20).run(input: x)[0]
    let simulated = try SimulationExecutor(graph: quantized, batchSize: 20).run(input: x)[0]
    let sqnr = QuantizationErrorReport.sqnr(
      reference: reference.floats ?? [], approximation: simulated.floats ?? [])
    #expect(sqnr > 30, "output SQNR \(sqnr) dB")
    let classes = reference.shape[1]
    let float = reference.floats ?? []
    let fake = simulated.floats ?? []
    var agree = 0
    for i in 0..<x.shape[0] {
      let a = (0..<classes).max { float[i * classes + $0] < float[i * classes + $1] }
      let b = (0..<classes).max { fake[i * classes + $0] < fake[i * classes + $1] }
      if a == b { agree += 1 }
    }
    #expect(agree >= x.shape[0] - 1, "top-1 agreement \(agree)/\(x.shape[0])")
    let perTensor = try QuantizationErrorReport.perTensor(lowered: lowered, quantized: quantized, input: x)
    #expect(perTensor.count == lowered.activationTensors.count)
    #expect(perTensor.map(\.decibels) == perTensor.map(\.decibels).sorted())
    #expect(perTensor.allSatisfy { $0.decibels > 25 }, "\(perTensor)")
  }

  @Test(
    "fixture models: fake-quant outputs stay close to float", arguments: ["cnn", "dscnn", "mnv3block", "mlp"])
  func fixtureAccuracy(name: String) throws {
    let model = try S.fixtureModel(name)
    let x = try #require(try S.fixtureInput(name))
    let lowered = try Lowering.lower(model)
    let quantized = try Quantizer.quantize(lowered, ranges: try S.minMaxRanges(model, x))
    let reference = try FloatExecutor(model: model, batchSize: 4).run(input: x)[0]
    let simulated = try SimulationExecutor(graph: quantized, batchSize: 4).run(input: x)[0]
    let sqnr = QuantizationErrorReport.sqnr(
      reference: reference.floats ?? [], approximation: simulated.floats ?? [])
    #expect(sqnr > 20, "\(name): output SQNR \(sqnr) dB")
  }

  @Test("every quantized activation lies on its integer grid, inside its type's range")
  func onGrid() throws {
    let model = try S.fixtureModel("mnv3block")
    let x = try #require(try S.fixtureInput("mnv3block"))
    let graph = try Quantizer.quantize(try Lowering.lower(model), ranges: try S.minMaxRanges(model, x))
    var seen = 0
    _ = try SimulationExecutor(graph: graph).run(input: x) { view in
      guard let tensor = graph.tensors[view.name], let q = tensor.quantization else { return }
      seen += 1
      for v in view.values {
        let code = v / q.scale + Float(q.zeroPoint)
        #expect(abs(code - code.rounded()) < 1e-2, "\(view.name): \(v) is not on the grid")
        #expect(code.rounded() >= -128 && code.rounded() <= 127)
      }
    }
    #expect(seen == graph.tensors.values.filter { !$0.isConstant && $0.quantization != nil }.count)
  }

  @Test("concatenation: free producers adopt the shared parameters, a graph input is requantized")
  func concatenation() throws {
    let model = try S.model(
      input: [2, 4, 4],
      nodes: [
        Node(name: "c1", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["x", "w1"], outputs: ["a"]),
        Node(name: "c2", op: .conv(ConvAttributes(kernel: [1, 1])), inputs: ["x", "w2"], outputs: ["b"]),
        Node(name: "cat", op: .concat(axis: 1), inputs: ["a", "b", "x"], outputs: ["y"]),
      ],
      initializers: [
        "w1": Tensor(shape: [3, 2, 1, 1], floats: S.values(6, seed: 1)),
        "w2": Tensor(shape: [2, 2, 1, 1], floats: S.values(4, seed: 2, scale: 4)),
      ])
    let x = S.tensor([3, 2, 4, 4], seed: 5)
    let lowered = try Lowering.lower(model)
    let graph = try Quantizer.quantize(lowered, ranges: try S.minMaxRanges(model, x))
    let cat = try #require(graph.nodes.first { $0.op.tfliteName == "CONCATENATION" })
    let shared = try graph.tensor("y").quantization
    for input in cat.inputs { #expect(try graph.tensor(input).quantization == shared, "\(input)") }
    #expect(cat.inputs == ["a", "b", "x#requantized"])
    #expect(graph.opCounts["QUANTIZE"] == 1)
    let reference = try FloatExecutor(model: model, batchSize: 3).run(input: x)[0]
    let simulated = try SimulationExecutor(graph: graph).run(input: x)[0]
    let step = try #require(shared?.scale)
    let worst = zip(reference.floats ?? [], simulated.floats ?? []).map { abs($0 - $1) }.max() ?? 0
    #expect(worst < 3 * step, "max error \(worst), step \(step)")
  }

  @Test("a skipped layer stays float between DEQUANTIZE and QUANTIZE")
  func floatIsland() throws {
    let model = try S.fixtureModel("teacher")
    let lowered = try Lowering.lower(model)
    let conv = try #require(lowered.graph.nodes.first { $0.op.hasWeights })
    let x = try #require(try S.operationalSamples(20))
    let graph = try Quantizer.quantize(
      lowered, ranges: try S.minMaxRanges(model, x), options: QuantizationOptions(skip: [conv.sources[0]]))
    let island = try #require(graph.nodes.first { $0.name == conv.name })
    #expect(try graph.tensor(island.inputs[1]).elementType == .float32)
    #expect(try graph.tensor(island.outputs[0]).elementType == .float32)
    #expect(graph.opCounts["DEQUANTIZE"] == 1)
    #expect(graph.opCounts["QUANTIZE"] == 1)
    let reference = try FloatExecutor(model: model, batchSize: 20).run(input: x)[0]
    let simulated = try SimulationExecutor(graph: graph).run(input: x)[0]
    let sqnr = QuantizationErrorReport.sqnr(
      reference: reference.floats ?? [], approximation: simulated.floats ?? [])
    #expect(sqnr > 30, "output SQNR \(sqnr) dB")
  }

  @Test(
    "fake quantization equals rounding half away from zero then clamping, bit for bit",
    arguments: [
      (Float(0.1), Int64(-3), Int64(-128)...Int64(127)), (0.37, 0, -7...7), (0.002, 5, -32768...32767),
    ])
  func fakeQuantizeMatchesRounding(scale: Float, zeroPoint: Int64, range: ClosedRange<Int64>) {
    var values: [Float] = [
      0, -0.0, .infinity, -.infinity, .nan, 1e30, -1e30, .ulpOfOne, -.leastNonzeroMagnitude,
    ]
    for k in -400...400 {
      let half = (Float(k) + 0.5) * scale
      values += [half, half.nextUp, half.nextDown, Float(k) * scale, Float(k) * 0.173]
    }
    for k in 0..<2000 {
      values.append(((Float(k) * 61.803_4).truncatingRemainder(dividingBy: 600) - 300) * scale)
    }
    let zero = Float(zeroPoint)
    let expected = values.map { v -> Float in
      var q = (v / scale).rounded() + zero
      q =
        q < Float(range.lowerBound)
        ? Float(range.lowerBound) : (q > Float(range.upperBound) ? Float(range.upperBound) : q)
      return (q - zero) * scale
    }
    var actual = values
    actual.withUnsafeMutableBufferPointer {
      SimulationExecutor.fakeQuantize(
        $0.baseAddress!, count: $0.count, scale: scale, zeroPoint: zeroPoint, range: range)
    }
    for (index, (a, e)) in zip(actual, expected).enumerated() {
      #expect(a.bitPattern == e.bitPattern || (a.isNaN && e.isNaN), "value \(values[index]): \(a) vs \(e)")
    }
  }
}
