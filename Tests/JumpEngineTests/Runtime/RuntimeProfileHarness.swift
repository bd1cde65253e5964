import Foundation
import Testing

@testable import JumpEngine

/// A per-step profile of the float executor, not a test: it runs only when `JUMPSTATION_RUNTIME_PROFILE`
/// is set to `MODEL.onnx,BATCH[,THREADS[,REPEATS]]`, and prints each step's best time (random normal input).
///
/// Used to find where a model's time goes before changing a kernel; `scripts/bench-runtime` gives the
/// end-to-end comparison with ONNX Runtime.
@Suite("Runtime profile harness")
struct RuntimeProfileHarness {
  static let variable = "JUMPSTATION_RUNTIME_PROFILE"

  @Test("profile steps", .enabled(if: ProcessInfo.processInfo.environment[variable] != nil))
  func profile() throws {
    let fields = try #require(ProcessInfo.processInfo.environment[Self.variable]).split(separator: ",")
    let path = String(fields[0])
    let batch = fields.count > 1 ? Int(fields[1]) ?? 1 : 1
    let threads = fields.count > 2 ? Int(fields[2]) ?? 1 : 1
    let repeats = fields.count > 3 ? Int(fields[3]) ?? 20 : 20
    let model = try ONNXImporter.load(contentsOf: URL(fileURLWithPath: path))
    let executor = try FloatExecutor(model: model, batchSize: batch, threads: threads)
    let (steps, shapes) = try executor.steps(forBatch: batch)
    var best = [Double](repeating: .infinity, count: steps.count)
    for _ in 0..<repeats {
      for (index, step) in steps.enumerated() {
        let t0 = DispatchTime.now().uptimeNanoseconds
        step.run(threads: threads)
        best[index] = min(best[index], Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
      }
    }
    let total = best.reduce(0, +)
    print("profile \(path) batch \(batch) threads \(threads): \(String(format: "%.3f", total)) ms")
    for (index, step) in steps.enumerated() {
      let shape = step.outputs.first.flatMap { shapes[$0] } ?? []
      let kind = String(describing: step.kernel).prefix(while: { $0 != "(" })
      print(
        String(format: "%8.3f ms %5.1f%%  ", best[index], 100 * best[index] / total)
          + "\(kind) \(step.name) -> \(shape)\(Self.detail(step.kernel))")
    }
  }

  /// The convolution geometry of a step, when it has one.
  static func detail(_ kernel: StepKernel) -> String {
    switch kernel {
    case .conv(let g, _, _, _, _, _, _, _), .depthwise(let g, _, _, _, _, _, _):
      return
        "  [\(g.inChannels)->\(g.outChannels) k\(g.kernelHeight)x\(g.kernelWidth) s\(g.strideHeight) g\(g.group) \(g.inHeight)x\(g.inWidth)->\(g.outHeight)x\(g.outWidth)]"
    case .gemm(_, let m, let n, let k, _, _, _, _, _):
      return "  [m\(m) n\(n) k\(k)]"
    default:
      return ""
    }
  }
}
