/// Plans the activation arena of a device graph exactly as TFLite Micro will for the exported `.tflite`.
///
/// The plan is made over the same operator list the TFLite writer emits (so the PADs it inserts before
/// convolutions and the QUANTIZE/DEQUANTIZE of `io=float` edges are planned too), with TFLite Micro's
/// lifetimes (`AllocationInfoBuilder`), buffer sizes rounded up to 16 bytes, the scratch its kernels
/// request, and its greedy planner. [tflm: tensorflow/lite/micro/micro_allocation_info.cc,
/// micro_allocator.cc `CreatePlan`, memory_planner/greedy_memory_planner.cc]
public enum MemoryPlanner {
  /// TFLite Micro's arena alignment (`MicroArenaBufferAlignment()`).
  public static let alignment = 16

  /// `bytes` rounded up to the arena alignment, as every arena allocation is.
  static func aligned(_ bytes: Int) -> Int { (bytes + alignment - 1) / alignment * alignment }

  /// Plans the arena of `graph` exported with `io` edges; `runtimeOverhead` is the RAM the target's
  /// runtime needs outside the arena, and `pointerBytes` the pointer width of its TFLite Micro build
  /// (which sizes the persistent tail; `nil` for a runtime that is not TFLite Micro).
  ///
  /// Throws what the exporter would throw for a graph it cannot write.
  public static func plan(
    _ graph: QuantizedGraph, io: TFLiteIO = .int8, runtimeOverhead: Int = 0,
    pointerBytes: Int? = PersistentTail.microcontrollerPointerBytes
  ) throws(EngineError) -> MemoryPlan {
    let model = try TFLiteExporter.fileContents(graph, io: io)
    return plan(model, runtimeOverhead: runtimeOverhead, pointerBytes: pointerBytes)
  }

  /// Plans the arena of `graph` for `device` (its overhead; a tail only on microcontrollers, which run
  /// TFLite Micro), or for a generic 32-bit TFLite Micro build without a device.
  public static func plan(
    _ graph: QuantizedGraph, io: TFLiteIO = .int8, for device: Device?
  ) throws(EngineError) -> MemoryPlan {
    try plan(
      graph, io: io, runtimeOverhead: device?.runtimeOverhead ?? 0,
      pointerBytes: device.map(\.tfliteMicroPointerBytes) ?? PersistentTail.microcontrollerPointerBytes)
  }

  /// Plans the arena of a file's contents.
  static func plan(_ model: TFLiteModel, runtimeOverhead: Int, pointerBytes: Int?) -> MemoryPlan {
    let lifetimes = TensorLifetimes(model)
    var buffers: [MemoryPlan.Buffer] = []
    var requests: [GreedyArenaPlanner.Request] = []
    func add(_ name: String, _ kind: MemoryPlan.Buffer.Kind, bytes: Int, first: Int, last: Int) {
      let size = aligned(bytes)
      requests.append(.init(size: size, firstUsed: first, lastUsed: last))
      // Scope 0 is "before the first op" (graph inputs); op i runs in scope i + 1.
      buffers.append(
        .init(
          name: name, kind: kind, bytes: size, firstOp: max(first - 1, 0), lastOp: max(last - 1, 0), offset: 0
        ))
    }
    for (index, tensor) in model.tensors.enumerated() where tensor.buffer == 0 {
      let bytes = tensor.shape.reduce(1, *) * tensor.type.elementBytes
      guard bytes > 0, let first = lifetimes.first[index], let last = lifetimes.last[index] else { continue }
      add(tensor.name, .tensor, bytes: bytes, first: first, last: last)
    }
    for (index, op) in model.operators.enumerated() {
      for scratch in KernelScratch.requests(for: op, in: model) {
        add(
          "\(op.op.schemaName)#\(index) scratch (\(scratch.purpose))", .scratch, bytes: scratch.bytes,
          first: index + 1, last: index + 1)
      }
    }
    let (offsets, arena) = GreedyArenaPlanner.plan(requests)
    for index in buffers.indices { buffers[index].offset = offsets[index] }
    let steps = model.operators.enumerated().map { index, op in
      let live = buffers.filter { $0.isLive(at: index) }
      return MemoryPlan.Step(
        op: op.op.schemaName, output: op.outputs.first.map { model.tensors[$0].name } ?? "",
        liveBytes: live.reduce(0) { $0 + $1.bytes }, extent: live.map { $0.offset + $0.bytes }.max() ?? 0)
    }
    return MemoryPlan(
      buffers: buffers, steps: steps, arenaBytes: arena,
      persistentBytes: pointerBytes.map { PersistentTail.bytes(model, pointerBytes: $0) } ?? 0,
      runtimeOverhead: runtimeOverhead)
  }
}

/// First and last allocation scope of every tensor, as TFLite Micro's `AllocationInfoBuilder` marks them:
/// graph inputs are created in scope 0, op i runs in scope i + 1 (creating its outputs, last-using its
/// inputs and outputs), and graph outputs live to the last scope.
struct TensorLifetimes {
  var first: [Int: Int] = [:]
  var last: [Int: Int] = [:]

  init(_ model: TFLiteModel) {
    for input in model.inputs {
      if first[input] == nil { first[input] = 0 }
      last[input] = 0
    }
    var scope = 0
    for op in model.operators {
      scope += 1
      for output in op.outputs where first[output] == nil { first[output] = scope }
      for input in op.inputs where input >= 0 { last[input] = scope }
      for output in op.outputs { last[output] = scope }
    }
    for output in model.outputs {
      if first[output] == nil { first[output] = scope }
      last[output] = scope
    }
  }
}
