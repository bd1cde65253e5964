import JumpEngine
import Testing

/// Arena plans of hand-built device graphs, worked out by hand with TFLite Micro's rules.
@Suite struct MemoryPlannerTests {
  static let activation = QuantizationParameters(scale: 0.05, zeroPoint: -3)

  /// x [1,1,4,4] -> CONV 1x1 (8 ch) -> CONV 1x1 (8 ch) -> MEAN over H, W -> RESHAPE [1,8] -> FC (2).
  static func graph(filter: QuantizedElementType = .int8) -> QuantizedGraph {
    var tensors: [String: QuantizedTensor] = [:]
    func add(_ name: String, _ shape: [Int], _ type: QuantizedElementType = .int8, data: ConstantData? = nil)
    {
      let q = type == .int32 ? QuantizationParameters(scale: 0.001, zeroPoint: 0) : activation
      tensors[name] = QuantizedTensor(
        name: name, shape: shape, elementType: type, quantization: q, data: data)
    }
    add("x", [1, 1, 4, 4])
    add("w1", [8, 1, 1, 1], filter, data: .int8(Array(repeating: 1, count: 8)))
    add("b1", [8], .int32, data: .int32(Array(repeating: 0, count: 8)))
    add("y1", [1, 8, 4, 4])
    add("w2", [8, 8, 1, 1], filter, data: .int8(Array(repeating: 1, count: 64)))
    add("b2", [8], .int32, data: .int32(Array(repeating: 0, count: 8)))
    add("y2", [1, 8, 4, 4])
    add("m", [1, 8, 1, 1])
    add("r", [1, 8])
    add("w3", [2, 8], data: .int8(Array(repeating: 1, count: 16)))
    add("b3", [2], .int32, data: .int32([0, 0]))
    add("out", [1, 2])
    let nodes = [
      QuantizedNode(name: "conv1", op: .conv2D(Conv2DOptions()), inputs: ["x", "w1", "b1"], outputs: ["y1"]),
      QuantizedNode(
        name: "conv2", op: .conv2D(Conv2DOptions()), inputs: ["y1", "w2", "b2"], outputs: ["y2"]),
      QuantizedNode(name: "pool", op: .mean(axes: [2, 3], keepDims: true), inputs: ["y2"], outputs: ["m"]),
      QuantizedNode(name: "flat", op: .reshape(newShape: [1, 8]), inputs: ["m"], outputs: ["r"]),
      QuantizedNode(
        name: "fc", op: .fullyConnected(activation: .none), inputs: ["r", "w3", "b3"], outputs: ["out"]),
    ]
    return QuantizedGraph(name: "tiny", tensors: tensors, inputs: ["x"], outputs: ["out"], nodes: nodes)
  }

  @Test func greedyPlanOfATinyNetwork() throws {
    let plan = try MemoryPlanner.plan(Self.graph(), runtimeOverhead: 1000, pointerBytes: nil)
    let offsets = Dictionary(uniqueKeysWithValues: plan.buffers.map { ($0.name, $0.offset) })
    // Sorted largest first (ties: added last first): y2, y1, MEAN's accumulators (32 B), its axes and
    // index scratch, then out, r, m, x (16 B each after rounding up). m finds no gap below the scratch.
    #expect(offsets["y2"] == 0)
    #expect(offsets["y1"] == 128)
    #expect(offsets["MEAN#2 scratch (int32 accumulators)"] == 128)
    #expect(offsets["MEAN#2 scratch (resolved axes)"] == 160)
    #expect(offsets["MEAN#2 scratch (input index)"] == 176)
    #expect(offsets["out"] == 0)
    #expect(offsets["r"] == 16)
    #expect(offsets["m"] == 192)
    #expect(offsets["x"] == 0)
    // y1 sits above y2 (placed first on the size tie), so the arena reaches 256 B already at op 0.
    #expect(plan.arenaBytes == 256)
    #expect(plan.peakBytes == 1256)
    #expect(plan.steps.map(\.extent) == [256, 256, 208, 208, 32])
    // The most bytes are live while the second convolution runs: its input and output.
    #expect(plan.peakOp == 1)
    #expect(plan.steps.map(\.op) == ["CONV_2D", "CONV_2D", "MEAN", "RESHAPE", "FULLY_CONNECTED"])
    #expect(Set(plan.livePeakBuffers.map(\.name)) == ["y1", "y2"])
    #expect(plan.steps.map(\.liveBytes) == [16 + 128, 128 + 128, 128 + 64 + 16, 16 + 16, 16 + 16])
  }

  @Test func thePersistentTailComesOnTopOfTheHead() throws {
    let graph = try Self.graph()
    let none = try MemoryPlanner.plan(graph, runtimeOverhead: 1000, pointerBytes: nil)
    let device = try MemoryPlanner.plan(graph, runtimeOverhead: 1000)
    let host = try MemoryPlanner.plan(
      graph, runtimeOverhead: 1000, pointerBytes: PersistentTail.hostPointerBytes)
    #expect(none.persistentBytes == 0)
    // The tail does not move the planned tensors.
    #expect(device.arenaBytes == none.arenaBytes && device.buffers == none.buffers)
    #expect(device.persistentBytes > 0 && host.persistentBytes > device.persistentBytes)
    #expect(device.totalArenaBytes == device.arenaBytes + device.persistentBytes)
    #expect(device.peakBytes == device.totalArenaBytes + 1000)
    // A Linux box runs LiteRT, not TFLite Micro: no tail, its overhead covers the runtime.
    let linux = Device(name: "box", ram: 1 << 30, flash: 1 << 30, clockHz: 1e9, kind: .linux)
    #expect(try MemoryPlanner.plan(graph, for: linux).persistentBytes == 0)
    let mcu = Device(name: "mcu", ram: 1 << 18, flash: 1 << 21, clockHz: 1e8, runtimeOverhead: 1000)
    #expect(try MemoryPlanner.plan(graph, for: mcu) == device)
    // One 32-bit plan answers for every device: the tail counts only where TFLite Micro runs.
    #expect(device.peakBytes(on: mcu) == device.peakBytes)
    #expect(device.peakBytes(on: linux) == device.arenaBytes)
  }

  @Test func everyBufferIsRoundedTo16Bytes() throws {
    let plan = try MemoryPlanner.plan(Self.graph())
    #expect(plan.buffers.allSatisfy { $0.bytes % 16 == 0 })
    let m = try #require(plan.buffers.first { $0.name == "m" })
    #expect(m.bytes == 16)  // 8 int8 values
    #expect((m.firstOp, m.lastOp) == (2, 3))
  }

  @Test func int4FiltersAddUnpackScratch() throws {
    let plan = try MemoryPlanner.plan(Self.graph(filter: .int4))
    let scratch = plan.buffers.filter { $0.name.contains("int4 filter") }
    #expect(
      scratch.map(\.name) == [
        "CONV_2D#0 scratch (int4 filter unpacked)", "CONV_2D#1 scratch (int4 filter unpacked)",
      ])
    #expect(scratch.map(\.bytes) == [16, 64])
    #expect(scratch.map(\.firstOp) == [0, 1])
  }

  @Test func floatEdgesArePlannedLikeTheExportedFile() throws {
    let plan = try MemoryPlanner.plan(Self.graph(), io: .float)
    #expect(plan.steps.first?.op == "QUANTIZE")
    #expect(plan.steps.last?.op == "DEQUANTIZE")
    let input = try #require(plan.buffers.first { $0.name == "x" })
    #expect(input.bytes == 64)  // 16 float32 values
    #expect((input.firstOp, input.lastOp) == (0, 0))
  }
}
