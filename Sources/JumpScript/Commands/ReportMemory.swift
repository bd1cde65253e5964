import JumpEngine

/// `report memory`: the activation arena as TFLite Micro will plan it for the exported file, and RAM and
/// latency lines for the plain report.
extension ReportCommand {
  /// The device graph `export` would write for `model` and the edges it would get by default: a
  /// quantized model's integer graph, or a float model lowered to the TFLite op set with float edges.
  static func deviceGraph(
    _ model: ModelValue, io: TFLiteIO?
  ) throws(CommandError) -> (QuantizedGraph, TFLiteIO) {
    if let quantized = model.quantized { return (quantized.graph, io ?? .int8) }
    do {
      return (try Lowering.lower(model.model).graph, .float)
    } catch {
      throw CommandError(error)
    }
  }

  /// Plans `model`'s arena for the target (its overhead, and a persistent tail when it runs TFLite Micro),
  /// with the tail sized for `pointerBytes`-byte pointers when given.
  static func memoryPlan(
    _ model: ModelValue, io: TFLiteIO?, device: Device?, pointerBytes: Int? = nil
  ) throws(CommandError) -> MemoryPlan {
    let (graph, edges) = try deviceGraph(model, io: io)
    do {
      guard let pointerBytes else { return try MemoryPlanner.plan(graph, io: edges, for: device) }
      return try MemoryPlanner.plan(
        graph, io: edges, runtimeOverhead: device?.runtimeOverhead ?? 0, pointerBytes: pointerBytes)
    } catch {
      throw CommandError(error)
    }
  }

  /// The `report memory` record.
  static func memoryReport(
    _ model: ModelValue, io: TFLiteIO?, device: Device?, pointerBytes: Int? = nil
  ) throws(CommandError) -> Value {
    let plan = try memoryPlan(model, io: io, device: device, pointerBytes: pointerBytes)
    let peak = plan.peakOp
    let live = plan.livePeakBuffers
    var fields: [(name: String, value: Value)] = [
      ("model", .string(model.name)),
      ("arena", .number(.bytes(plan.arenaBytes))),
      ("tail", .number(.bytes(plan.persistentBytes))),
      ("tflm_arena", .number(.bytes(plan.totalArenaBytes))),
      ("overhead", .number(.bytes(plan.runtimeOverhead))),
      ("peak_ram", .number(.bytes(plan.peakBytes))),
      ("peak_op", .number(Quantity(Double(peak)))),
      ("peak_op_name", .string(plan.steps.isEmpty ? "" : plan.steps[peak].op)),
      ("live_at_peak", .list(live.map { .string($0.name) })),
      ("timeline", .list(plan.steps.map { .number(.bytes($0.liveBytes)) })),
    ]
    var lines = [
      "memory plan of \(model.name): TFLite Micro arena over the exported file's \(plan.steps.count) ops",
      "  arena     \(ValueFormatter.grouped(plan.arenaBytes)) B (\(ValueFormatter.bytes(Double(plan.arenaBytes))))"
        + " planned greedily, tensors and kernel scratch rounded to 16 B",
    ]
    if plan.persistentBytes > 0 {
      lines.append(
        "  tail      \(ValueFormatter.grouped(plan.persistentBytes)) B persistent (tensor and node structs, op data; "
          + "estimated for \(pointerBytes.map { "\($0 * 8)" } ?? "32")-bit TFLite Micro): "
          + "give the interpreter an arena of \(ValueFormatter.grouped(plan.totalArenaBytes)) B")
    }
    lines.append(
      "  peak RAM  \(ValueFormatter.bytes(Double(plan.peakBytes))) = arena"
        + (plan.persistentBytes > 0 ? " + tail" : "") + " + "
        + "\(ValueFormatter.bytes(Double(plan.runtimeOverhead))) runtime overhead"
        + (device.map { " (\($0.name))" } ?? " (no target selected)"))
    if !plan.steps.isEmpty {
      let step = plan.steps[peak]
      lines.append("  peak at   op \(peak) \(step.op) -> \(step.output); live there:")
      let rows = live.map { buffer in
        [
          buffer.name, buffer.kind.rawValue, ValueFormatter.grouped(buffer.bytes),
          ValueFormatter.grouped(buffer.offset),
          "\(buffer.firstOp)-\(buffer.lastOp)",
        ]
      }
      let table = TextTable(
        header: ["buffer", "kind", "bytes", "offset", "ops"], rightAligned: [2, 3], rows: rows)
      lines += table.lines.map { "    " + $0 }
    }
    if let device {
      let fits = plan.peakBytes <= device.ram
      fields.append(("fits_ram", .bool(fits)))
      lines.append("  " + ramLine(plan, device: device))
    }
    lines.append("")
    lines.append("  arena use per op (live bytes; bar to the arena size):")
    lines += timeline(plan).map { "    " + $0 }
    return .record(Record(kind: "report", fields: fields, text: lines.joined(separator: "\n")))
  }

  /// `target  pico: peak RAM 344 KB vs 264 KB RAM: does not fit (80 KB over)`.
  static func ramLine(_ plan: MemoryPlan, device: Device) -> String {
    let fits = plan.peakBytes <= device.ram
    let margin = abs(device.ram - plan.peakBytes)
    return "target    \(device.name): peak RAM \(ValueFormatter.bytes(Double(plan.peakBytes))) vs "
      + "\(ValueFormatter.bytes(Double(device.ram))) RAM: "
      + (fits
        ? "fits (\(ValueFormatter.bytes(Double(margin))) free)"
        : "does not fit (\(ValueFormatter.bytes(Double(margin))) over)")
  }

  /// One row per op: index, op, output, live bytes, a bar scaled to the arena.
  static func timeline(_ plan: MemoryPlan) -> [String] {
    let width = 24
    let rows = plan.steps.enumerated().map { index, step in
      let filled =
        plan.arenaBytes > 0
        ? Int((Double(step.liveBytes) / Double(plan.arenaBytes) * Double(width)).rounded()) : 0
      let bar =
        String(repeating: "#", count: min(filled, width))
        + String(repeating: ".", count: width - min(filled, width))
      return [
        String(index), step.op, step.output, ValueFormatter.grouped(step.liveBytes),
        bar + (index == plan.peakOp ? " peak" : ""),
      ]
    }
    return TextTable(
      header: ["op", "operator", "output", "live B", "arena"], rightAligned: [0, 3], rows: rows
    ).lines
  }
}
