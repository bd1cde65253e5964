import JumpEngine
import Testing

@Suite struct ShapeInferenceTests {
  func infer(_ op: Op, _ inputs: [ValueInfo], initializers: [String: Tensor] = [:]) throws -> [Dim] {
    let graph = Graph(
      name: "g", inputs: inputs, outputs: [ValueInfo(name: "y", shape: [])],
      nodes: [
        Node(name: "n", op: op, inputs: inputs.map(\.name) + initializers.keys.sorted(), outputs: ["y"])
      ],
      initializers: initializers, opset: 13)
    return try graph.resolved().outputs[0].shape
  }

  func fixed(_ dims: Int...) -> [Dim] { dims.map { .fixed($0) } }

  @Test func poolingCeilMode() throws {
    let x = ValueInfo(name: "x", fixedShape: [1, 1, 5, 5])
    #expect(try infer(.maxPool(PoolAttributes(kernel: [2, 2], strides: [2, 2])), [x]) == fixed(1, 1, 2, 2))
    #expect(
      try infer(.maxPool(PoolAttributes(kernel: [2, 2], strides: [2, 2], ceilMode: true)), [x])
        == fixed(1, 1, 3, 3))
    let y = ValueInfo(name: "x", fixedShape: [1, 1, 6, 6])
    let padded = PoolAttributes(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true)
    #expect(try infer(.averagePool(padded), [y]) == fixed(1, 1, 4, 4))
  }

  @Test func convWithDilationAndStride() throws {
    let x = ValueInfo(name: "x", shape: [.symbolic("N"), .fixed(4), .fixed(10), .fixed(10)])
    let w = Tensor.zeros(shape: [6, 2, 3, 3])
    let a = ConvAttributes(
      kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [2, 2], group: 2)
    #expect(
      try infer(.conv(a), [x], initializers: ["w": w]) == [.symbolic("N"), .fixed(6), .fixed(4), .fixed(4)])
    let bad = engineError {
      _ = try infer(.conv(ConvAttributes(kernel: [3, 3])), [x], initializers: ["w": w])
    }
    #expect(bad?.message.hasPrefix("node 'n' (Conv): input channels") == true)
  }

  @Test func matMulReshapeFlatten() throws {
    let a = ValueInfo(name: "a", fixedShape: [2, 1, 3, 4])
    let b = ValueInfo(name: "b", fixedShape: [5, 4, 6])
    #expect(try infer(.matMul, [a, b]) == fixed(2, 5, 3, 6))
    let x = ValueInfo(name: "x", shape: [.symbolic("N"), .fixed(3), .fixed(4)])
    #expect(try infer(.reshape(shape: [0, -1], allowZero: false), [x]) == [.symbolic("N"), .fixed(12)])
    #expect(try infer(.reshape(shape: [-1, 4], allowZero: false), [x]) == [.symbolic("N*3"), .fixed(4)])
    #expect(try infer(.flatten(axis: 2), [x]) == [.symbolic("N*3"), .fixed(4)])
    #expect(try infer(.flatten(axis: 0), [ValueInfo(name: "x", fixedShape: [2, 3])]) == fixed(1, 6))
    let fixedX = ValueInfo(name: "x", fixedShape: [2, 3, 4])
    #expect(engineError { _ = try infer(.reshape(shape: [-1, 5], allowZero: false), [fixedX]) } != nil)
  }

  @Test func concatTransposeSqueezeReduce() throws {
    let a = ValueInfo(name: "a", fixedShape: [1, 2, 3])
    let b = ValueInfo(name: "b", fixedShape: [1, 5, 3])
    #expect(try infer(.concat(axis: -2), [a, b]) == fixed(1, 7, 3))
    #expect(try infer(.transpose(perm: nil), [a]) == fixed(3, 2, 1))
    #expect(try infer(.transpose(perm: [0, 2, 1]), [a]) == fixed(1, 3, 2))
    #expect(engineError { _ = try infer(.transpose(perm: [0, 0, 1]), [a]) } != nil)
    #expect(try infer(.squeeze(axes: nil), [a]) == fixed(2, 3))
    #expect(engineError { _ = try infer(.squeeze(axes: [1]), [a]) } != nil)
    #expect(try infer(.unsqueeze(axes: [0, -1]), [a]) == fixed(1, 1, 2, 3, 1))
    #expect(try infer(.reduceMean(axes: [-1], keepDims: true), [a]) == fixed(1, 2, 1))
    #expect(try infer(.reduceMean(axes: nil, keepDims: false), [a]) == [])
    #expect(try infer(.softmax(axis: -1), [a]) == fixed(1, 2, 3))
    #expect(try infer(.add, [a, ValueInfo(name: "c", fixedShape: [3])]) == fixed(1, 2, 3))
    #expect(engineError { _ = try infer(.mul, [a, b]) }?.message.contains("cannot broadcast") == true)
  }

  @Test func topologicalSortAndCycles() throws {
    let x = ValueInfo(name: "x", fixedShape: [1, 4])
    let nodes = [
      Node(name: "second", op: .sigmoid, inputs: ["h"], outputs: ["y"]),
      Node(name: "first", op: .relu, inputs: ["x"], outputs: ["h"]),
    ]
    let graph = Graph(
      name: "g", inputs: [x], outputs: [ValueInfo(name: "y", shape: [])], nodes: nodes, initializers: [:],
      opset: 13)
    #expect(try graph.resolved().nodes.map(\.name) == ["first", "second"])
    var cyclic = graph
    cyclic.nodes[1].inputs = ["y"]
    #expect(engineError { _ = try cyclic.resolved() }?.message.contains("cycle") == true)
  }
}
