extension SimulationExecutor {
  /// AVERAGE_POOL_2D on a quantized activation, computed on its integer codes as the device does: the sum
  /// of the raw codes (zero point included) divided by the cell count with halves rounded away from zero.
  ///
  /// A float mean rounded afterwards differs from that on ties: it rounds `mean - zeroPoint` away from
  /// zero instead of `mean`, and its float sum may land just off the half. Pooling is exact in integers,
  /// so the simulation does it in integers too. Returns false (and leaves the output alone) when the
  /// node's activations are not on a shared integer grid, where the float kernel computes it.
  func averagePoolOnCodes(
    _ node: QuantizedNode, _ options: Pool2DOptions, shapes: [String: [Int]],
    input x: UnsafeMutablePointer<Float>, output y: UnsafeMutablePointer<Float>
  ) throws(EngineError) -> Bool {
    guard quantizesActivations, let input = graph.tensors[node.inputs[0]],
      let output = graph.tensors[node.outputs[0]], let q = input.quantization, q.axis == nil,
      output.quantization == q, output.elementType == input.elementType,
      let range = input.elementType.integerRange,
      let xShape = shapes[node.inputs[0]], let yShape = shapes[node.outputs[0]]
    else { return false }
    let geometry = try IntegerExecutor.poolGeometry(node, shapes: shapes, options)
    let scale = q.scale
    let zeroPoint = Int32(q.zeroPoint)
    let codes = (0..<xShape.reduce(1, *)).map { Int32((x[$0] / scale).rounded()) + zeroPoint }
    var pooled = [Int32](repeating: 0, count: yShape.reduce(1, *))
    codes.withUnsafeBufferPointer { source in
      pooled.withUnsafeMutableBufferPointer { destination in
        guard let s = source.baseAddress, let d = destination.baseAddress else { return }
        IntegerKernels.averagePool2d(
          geometry, input: s, output: d,
          range: ActivationRange(min: Int32(range.lowerBound), max: Int32(range.upperBound)))
      }
    }
    for (i, code) in pooled.enumerated() { y[i] = Float(code - zeroPoint) * scale }
    return true
  }
}
