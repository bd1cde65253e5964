import Foundation
import JumpEngine
import Testing

/// Batches, threads, raw outputs, observation, cancellation, rounding modes, bad input and accuracy.
@Suite("Runtime: integer executor behaviour")
struct IntegerExecutorBehaviourTests {
  typealias S = QuantizeTestSupport
  typealias I = IntegerExecutorSupport

  /// The mnv3block fixture quantized int8 with its reference input.
  static func mnv3() throws -> (QuantizedGraph, Tensor) {
    let x = try I.calibration("mnv3block")
    return (try I.quantized("mnv3block", options: .init(), calibration: x), x)
  }

  @Test("results do not depend on the batch size or the thread count")
  func batchesAndThreads() throws {
    let (graph, x) = try Self.mnv3()
    let reference = try IntegerExecutor(graph: graph, batchSize: 1).runIntegers(input: x)
    for (batch, threads) in [(2, 1), (3, 2), (64, 2)] {
      let executor = try IntegerExecutor(graph: graph, batchSize: batch, threads: threads)
      #expect(try executor.runIntegers(input: x) == reference, "batch \(batch), threads \(threads)")
      #expect(try executor.runIntegers(input: x) == reference, "second run, batch \(batch)")
    }
  }

  @Test("raw outputs are int8 codes; run returns them dequantized as TFLite's DEQUANTIZE does")
  func rawOutputs() throws {
    let (graph, x) = try Self.mnv3()
    let executor = try IntegerExecutor(graph: graph, batchSize: 4)
    let raw = try #require(try executor.runIntegers(input: x).first)
    let real = try #require(try executor.run(input: x).first)
    let q = try #require(raw.quantization)
    #expect(raw.elementType == .int8 && raw.shape == real.shape && raw.floats.isEmpty)
    #expect(raw.codes.allSatisfy { (-128...127).contains($0) })
    let expected = raw.codes.map { Float(Double(q.scale) * Double($0 - Int32(q.zeroPoint))) }
    #expect(real.floats == expected)
  }

  @Test("visit shows every activation once per pass, as codes of its own type; the last is the output")
  func observation() throws {
    let (graph, x) = try Self.mnv3()
    let executor = try IntegerExecutor(graph: graph, batchSize: x.shape[0])
    var seen: [String] = []
    var last: [Int32] = []
    _ = try executor.run(input: x) { view in
      seen.append(view.name)
      if case .int8 = view.values {} else { Issue.record("\(view.name) is not int8") }
      #expect(view.values.count == view.shape.reduce(1, *))
      if view.name == graph.outputs[0] { last = view.codes() }
    }
    let activations = graph.tensors.values.filter { !$0.isConstant }.map(\.name)
    #expect(seen.sorted() == activations.sorted())
    #expect(seen.first == graph.inputs[0])
    #expect(try executor.runIntegers(input: x)[0].codes == last)
  }

  @Test("cancellation between nodes throws cancelled")
  func cancellation() throws {
    let (graph, x) = try Self.mnv3()
    let executor = try IntegerExecutor(graph: graph, batchSize: 1)
    var polls = 0
    let error = try #require(throws: EngineError.self) {
      _ = try executor.run(input: x) {
        polls += 1
        return polls > 5
      }
    }
    #expect(error.kind == .cancelled)
    // The executor is still usable afterwards.
    #expect(try executor.run(input: x)[0].shape[0] == x.shape[0])
  }

  @Test("single rounding (TFLITE_SINGLE_ROUNDING) also agrees with the simulation within one step")
  func singleRounding() throws {
    for name in ["mnv3block", "dscnn", "cnn"] {
      let x = try I.calibration(name)
      let graph = try I.quantized(name, options: .init(), calibration: x)
      let agreement = try I.agreement(graph, x, batchSize: 4, arithmetic: .singleRounding)
      for a in agreement { #expect(a.maxSteps <= 1, "\(name): \(a)") }
    }
  }

  @Test("bad input shapes, an empty batch and a zero batch size are clear errors")
  func badInput() throws {
    let (graph, x) = try Self.mnv3()
    let executor = try IntegerExecutor(graph: graph)
    let wrong = Tensor(shape: [1, 7], floats: Array(repeating: 0, count: 7))
    let shapeError = try #require(throws: EngineError.self) { try executor.run(input: wrong) }
    #expect(shapeError.kind == .invalidData && shapeError.message.contains(graph.inputs[0]))
    let empty = Tensor(shape: [0] + x.shape.dropFirst(), floats: [])
    #expect(throws: EngineError.self) { try executor.run(input: empty) }
    let batchError = try #require(throws: EngineError.self) {
      try IntegerExecutor(graph: graph, batchSize: 0)
    }
    #expect(batchError.kind == .invalidData)
  }

  @Test("a graph the kernels cannot run is rejected at build time, naming the node")
  func invalidGraph() throws {
    let (graph, _) = try Self.mnv3()
    var broken = graph
    let conv = try #require(broken.nodes.first { $0.op.tfliteName == "CONV_2D" })
    broken.tensors[conv.inputs[2]]?.data = .int64([0])
    broken.tensors[conv.inputs[2]]?.elementType = .int64
    let error = try #require(throws: EngineError.self) { try IntegerExecutor(graph: broken) }
    #expect(error.message.contains("'\(conv.name)'"), "\(error.message)")
    var logistic = graph
    let hs = try #require(logistic.nodes.firstIndex { $0.op.tfliteName == "HARD_SWISH" })
    logistic.nodes[hs].op = .logistic
    let fixed = try #require(throws: EngineError.self) { try IntegerExecutor(graph: logistic) }
    #expect(fixed.message.contains("1/256"), "\(fixed.message)")
  }

  @Test("teacher int8: accuracy on test.npz within two points of float (what the device gets)")
  func teacherAccuracy() throws {
    let model = try S.fixtureModel("teacher")
    let data = try RuntimeFixtures.npz(RuntimeFixtures.root.appendingPathComponent("tutorials/data/test.npz"))
    let x = try #require(data["x"])
    let labels = try #require(data["y"]).asInt64s().map { Int($0) }
    let calibration = try I.calibration("teacher", samples: 200)
    let graph = try I.quantized("teacher", options: .init(), calibration: calibration)
    let float = I.argmax(try FloatExecutor(model: model, batchSize: 32, threads: 2).run(input: x)[0])
    let clock = ContinuousClock()
    let start = clock.now
    let integer = I.argmax(try IntegerExecutor(graph: graph, batchSize: 32, threads: 2).run(input: x)[0])
    print("teacher int8: \(x.shape[0]) samples in \(clock.now - start)")
    let n = Double(labels.count)
    let floatAccuracy = Double(zip(float, labels).filter { $0 == $1 }.count) / n
    let integerAccuracy = Double(zip(integer, labels).filter { $0 == $1 }.count) / n
    let agreement = Double(zip(float, integer).filter { $0 == $1 }.count) / n
    print("teacher accuracy: float \(floatAccuracy), int8 \(integerAccuracy), top-1 agreement \(agreement)")
    #expect(abs(floatAccuracy - integerAccuracy) <= 0.02)
    #expect(agreement >= 0.97)
  }
}
