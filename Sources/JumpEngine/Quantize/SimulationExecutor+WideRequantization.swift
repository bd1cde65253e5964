import Foundation

extension SimulationExecutor {
  /// For each CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED with int16 activations: per output channel,
  /// the multiplier the device applies divided by the one the float arithmetic implies
  /// (`s_in * s_w / s_out`).
  ///
  /// TFLite's 16x8 kernels requantize their int64 accumulators with the multiplier rounded to 16 bits
  /// (`MultiplyByQuantizedMultiplier(int64_t, ...)`), up to 2^-15 off: near the top of the int16 range
  /// that moves the output by a step, which the next layer amplifies to two. Scaling the simulated output
  /// by the same ratio makes the simulation round where the device does. int8 kernels keep 31 bits, whose
  /// error is far below a step, so they need no ratio.
  static func wideRequantizationRatios(_ graph: QuantizedGraph) -> [String: [Float]] {
    let preparer = IntegerNodePreparer(graph: graph, arithmetic: .tfliteMicro)
    var ratios: [String: [Float]] = [:]
    for node in graph.nodes {
      switch node.op {
      case .conv2D, .depthwiseConv2D, .fullyConnected: break
      default: continue
      }
      guard node.inputs.count == 3, let input = graph.tensors[node.inputs[0]],
        let output = graph.tensors[node.outputs[0]], let filter = graph.tensors[node.inputs[1]],
        input.elementType == .int16, output.elementType == .int16,
        let weightScales = filter.quantization?.scales, let inScale = input.quantization?.scale,
        let outScale = output.quantization?.scale,
        let q = try? preparer.weightedQuantization(node, input: input, output: output, range: .int16)
      else { continue }
      let channels = max(q.multipliers.count, weightScales.count)
      ratios[node.name] = (0..<channels).map { c in
        let m = q.multipliers[q.multipliers.count == 1 ? 0 : c]
        let reduced = m.multiplier < 0x7FFF_0000 ? Double((m.multiplier + (1 << 15)) >> 16) : 0x7FFF
        let device = reduced * Foundation.pow(2, Double(m.shift - 15))
        let weightScale = weightScales[weightScales.count == 1 ? 0 : c]
        let exact = Double(inScale) * Double(weightScale) / Double(outScale)
        return Float(device / exact)
      }
    }
    return ratios
  }

  /// Scales a freshly computed output by its channel's ratio (channels along axis 1).
  func applyWideRequantizationRatio(
    _ ratios: [Float], to output: UnsafeMutablePointer<Float>, shape: [Int]
  ) {
    guard shape.count >= 2, shape[1] == ratios.count else { return }
    let inner = shape.dropFirst(2).reduce(1, *)
    for n in 0..<shape[0] {
      for (c, ratio) in ratios.enumerated() {
        let base = output + (n * ratios.count + c) * inner
        for i in 0..<inner { base[i] *= ratio }
      }
    }
  }
}
