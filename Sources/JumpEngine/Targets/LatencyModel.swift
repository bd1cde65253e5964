/// Estimates inference time from each op's MACs and bytes against a device's throughput.
///
/// Per op: `cycles = MACs / MACs-per-cycle + bytes × cycles-per-byte + op overhead`, with the int8 or
/// float rate by the op's output type, and `seconds = cycles / clock`. An NPU with a TOPS figure runs
/// MACs at a fixed fraction of its peak instead (2 ops per MAC). A rate of 0 (a device declared without
/// float throughput) is taken as 100 cycles per MAC, software emulation. The per-kind constants below are rough
/// estimates, not measurements; every place that shows the result labels it an estimate.
public enum LatencyModel {
  /// The constants of one kind of device.
  struct Costs {
    /// Cycles per byte moved (loads and stores the MAC rate does not cover).
    var cyclesPerByte: Double
    /// Cycles an interpreter spends per op (dispatch, parameter set-up).
    var opOverheadCycles: Double
  }

  /// Estimates: a microcontroller moves about a byte per cycle and TFLite Micro spends a few thousand
  /// cycles per op; a Cortex-A class core with caches and NEON moves several bytes per cycle.
  static func costs(_ kind: DeviceKind) -> Costs {
    switch kind {
    case .mcu: return Costs(cyclesPerByte: 1, opOverheadCycles: 2_000)
    case .linux, .npu: return Costs(cyclesPerByte: 0.25, opOverheadCycles: 10_000)
    }
  }

  /// Share of an NPU's peak TOPS a small batch-1 model sustains (estimate).
  static let npuUtilization = 0.25
  /// Seconds an NPU spends per op besides its MACs (estimate).
  static let npuOpOverhead = 2e-6

  /// Estimates `graph` exported with `io` edges on `device`.
  public static func estimate(
    _ graph: QuantizedGraph, io: TFLiteIO = .int8, on device: Device
  ) throws(EngineError) -> LatencyEstimate {
    let model = try TFLiteExporter.fileContents(graph, io: io)
    let costs = costs(device.kind)
    let steps = model.operators.map { op in
      let work = OperatorWork(op, in: model)
      var seconds: Double
      if device.kind == .npu, let tops = device.tops, tops > 0 {
        seconds = 2 * Double(work.macs) / (tops * 1e12 * npuUtilization) + npuOpOverhead
      } else {
        let rate = work.isFloat ? device.floatMACsPerCycle : device.int8MACsPerCycle
        let computeCycles = rate > 0 ? Double(work.macs) / rate : Double(work.macs) * 100
        let cycles = computeCycles + Double(work.bytes) * costs.cyclesPerByte + costs.opOverheadCycles
        seconds = cycles / max(device.clockHz, 1)
      }
      return LatencyEstimate.Step(
        op: op.op.schemaName, output: op.outputs.first.map { model.tensors[$0].name } ?? "",
        macs: work.macs, bytes: work.bytes, isFloat: work.isFloat, seconds: seconds)
    }
    return LatencyEstimate(device: device.name, steps: steps)
  }
}

/// What one operator of a file computes and moves.
struct OperatorWork {
  var macs: Int
  var bytes: Int
  var isFloat: Bool

  init(_ op: TFLiteModel.Operator, in model: TFLiteModel) {
    func count(_ tensor: TFLiteModel.Tensor) -> Int { tensor.shape.reduce(1, *) }
    func bytes(_ tensor: TFLiteModel.Tensor) -> Int {
      tensor.type == .int4 ? (count(tensor) + 1) / 2 : count(tensor) * tensor.type.elementBytes
    }
    let inputs = op.inputs.filter { $0 >= 0 }.map { model.tensors[$0] }
    let outputs = op.outputs.map { model.tensors[$0] }
    let outputCount = outputs.first.map(count) ?? 0
    self.bytes = (inputs + outputs).reduce(0) { $0 + bytes($1) }
    self.isFloat = outputs.first?.type == .float32 && op.op != .dequantize
    let filter = inputs.count > 1 ? inputs[1] : nil
    switch op.op {
    case .conv2D, .fullyConnected:
      let perOutput = filter.map { count($0) / max($0.shape.first ?? 1, 1) } ?? 0
      macs = outputCount * perOutput
    case .depthwiseConv2D:
      let perOutput = filter.map { count($0) / max($0.shape.last ?? 1, 1) } ?? 0
      macs = outputCount * perOutput
    case .averagePool2D, .maxPool2D:
      if case .pool2D(_, _, _, let height, let width, _) = op.options {
        macs = outputCount * height * width
      } else {
        macs = outputCount
      }
    case .mean:
      macs = inputs.first.map(count) ?? 0
    case .reshape, .pad:
      macs = 0
    default:
      macs = outputCount
    }
  }
}
