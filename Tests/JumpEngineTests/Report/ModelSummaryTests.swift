import Foundation
import JumpEngine
import Testing

@Suite struct ModelSummaryTests {
  @Test func macsAndParametersByHand() throws {
    var m = ONNXTestModel(opset: 13)
    m.input("x", [.symbolic("N"), .fixed(3), .fixed(8), .fixed(8)])
    m.weight("w1", [16, 3, 3, 3])
    m.weight("b1", [16])
    for p in ["s", "b", "m", "v"] { m.weight("bn_\(p)", [16], fill: { _ in 1 }) }
    m.weight("wdw", [16, 1, 3, 3])
    m.weight("wfc", [10, 16])
    m.weight("bfc", [10])
    m.weight("wmm", [10, 5])
    m.node("Conv", ["x", "w1", "b1"], ["c1"], name: "conv", [Attr.ints("pads", [1, 1, 1, 1])])
    m.node("BatchNormalization", ["c1", "bn_s", "bn_b", "bn_m", "bn_v"], ["bn"], name: "bn")
    m.node("Relu", ["bn"], ["r"], name: "relu")
    m.node(
      "Conv", ["r", "wdw"], ["dw"], name: "dw", [Attr.ints("pads", [1, 1, 1, 1]), Attr.int("group", 16)])
    m.node("GlobalAveragePool", ["dw"], ["g"], name: "gap")
    m.node("Flatten", ["g"], ["f"], name: "flatten")
    m.node("Gemm", ["f", "wfc", "bfc"], ["fc"], name: "fc", [Attr.int("transB", 1)])
    m.node("MatMul", ["fc", "wmm"], ["y"], name: "mm")
    m.output("y")
    let summary = ModelSummary(try m.load())
    let macs = Dictionary(uniqueKeysWithValues: summary.layers.map { ($0.name, $0.macs) })
    #expect(macs["conv"] == 16 * 8 * 8 * 3 * 3 * 3)
    #expect(macs["dw"] == 16 * 8 * 8 * 1 * 3 * 3)
    #expect(macs["fc"] == 1 * 10 * 16)
    #expect(macs["mm"] == 1 * 5 * 10)
    #expect(macs["relu"] == 0)
    #expect(summary.totalMACs == 27_648 + 9_216 + 160 + 50)
    #expect(summary.parameterCount == 448 + 32 + 144 + 170 + 50)
    #expect(summary.bufferCount == 32)
    #expect(summary.fp32Bytes == 4 * (844 + 32))
    #expect(summary.nodeCount == 8)
    #expect(
      summary.opHistogram.map(\.op) == [
        "Conv", "BatchNormalization", "Flatten", "Gemm", "GlobalAveragePool", "MatMul", "Relu",
      ])
    #expect(summary.opHistogram.first?.count == 2)
    #expect(summary.layers.first { $0.name == "gap" }?.elementOps == 16 * 64)
    #expect(summary.layers.first { $0.name == "conv" }?.outputShape == [1, 16, 8, 8])
    #expect(summary.inputs.first?.shape.first == .symbolic("N"))
  }
}
