import Foundation
import JumpEngine

/// The requirement vector `export` writes beside every file (and into a `.tflite`'s metadata): what
/// the file needs from a device, and how it fares on each device the session knows.
extension ExportCommand {
  /// The vector of the file `format` and `io` give for `model`.
  static func requirements(
    _ model: ModelValue, format: ExportFormat, io: TFLiteIO, staticBatch: Int?, state: SessionState
  ) throws(CommandError) -> RequirementVector {
    let facts = ReportCommand.facts(model, device: nil)
    let interface:
      (
        operators: [RequirementVector.Operator], inputs: [RequirementVector.Edge],
        outputs: [RequirementVector.Edge]
      )
    var plan: MemoryPlan?
    let (deviceGraph, deviceIO) = try ReportCommand.deviceGraph(model, io: format == .tflite ? io : nil)
    do throws(EngineError) {
      switch format {
      case .tflite:
        interface = try RequirementVector.tfliteInterface(deviceGraph, io: deviceIO)
        plan = try MemoryPlanner.plan(deviceGraph, io: deviceIO)
      case .onnx:
        let float = try staticBatch.map { (batch) throws(EngineError) in
          try model.model.withStaticShapes(batch: batch)
        }
        let written = float ?? model.model
        let opset = written.graph.opset > 0 ? written.graph.opset : ONNXExporter.defaultOpset
        interface = RequirementVector.onnxInterface(written, opset: opset)
      case .onnxQDQ:
        guard let quantized = model.quantized else { throw ExportFormat.floatAsQDQ(model) }
        interface = try RequirementVector.qdqInterface(
          quantized.graph, batch: staticBatch == nil ? "batch" : nil)
      }
    } catch {
      throw CommandError(error)
    }
    // The arena does not depend on the device (only the tail's pointer width and the runtime overhead
    // added to it do): plan once, for a 32-bit TFLite Micro build.
    let devicePlan = plan ?? (try? MemoryPlanner.plan(deviceGraph, io: deviceIO))
    let devices = state.devices.compactMap { device -> RequirementVector.DeviceEstimate? in
      guard let devicePlan, let estimate = try? LatencyModel.estimate(deviceGraph, io: deviceIO, on: device)
      else { return nil }
      let weightBudget = device.weightsInFlash ? device.flash : device.ram
      return .init(
        device: device.name, latencySeconds: estimate.seconds,
        fits: facts.flashBytes <= weightBudget && devicePlan.peakBytes(on: device) <= device.ram)
    }
    return RequirementVector(
      model: model.name, format: format.rawValue, precision: model.precision, parameters: facts.parameters,
      nonZeroParameters: facts.nonZeroParameters, flashBytes: facts.flashBytes, arenaBytes: plan?.arenaBytes,
      macs: facts.macs, operators: interface.operators, inputs: interface.inputs, outputs: interface.outputs,
      devices: devices, accuracy: state.measuredAccuracy[model.name], arenaTailBytes: plan?.persistentBytes)
  }

  /// `out/model.tflite` → `out/model.tflite.requirements.json`: the whole file name, so the vectors of
  /// `model.tflite` and `model.onnx` in one folder do not overwrite each other.
  static func requirementsPath(for path: String) -> String { path + ".requirements.json" }
}
