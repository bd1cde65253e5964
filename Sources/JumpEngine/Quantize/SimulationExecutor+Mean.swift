extension SimulationExecutor {
  /// MEAN as the device computes it, when its input and output are integer: the fake-quantized input is
  /// turned back into its codes (exact, they lie on the grid), TFLite Micro's kernel runs on them
  /// (`IntegerKernels.mean`), and the result is dequantized. Returns false when the node is not such a
  /// MEAN (the float kernel then runs).
  ///
  /// Unlike the other ops, MEAN's integer result is not the float mean rounded once: the kernel folds
  /// `1 / count` into the multiplier and lowers the right shift by `log2(count)`, so with `s_in / s_out`
  /// above 1 (a global pool's output range is narrower than its input's) the final shift is 1 or 2 and
  /// gemmlowp's double rounding adds up to a quarter step, rounding ties away from zero: a bias of about
  /// +1/4 step on every positive mean. Summed over a few hundred channels by the layer that reads a global
  /// pool (a squeeze-excite `reduce` convolution, a classifier), it shifts that layer's output by several
  /// steps. Simulating it exactly lets bias correction, which measures layer inputs in this simulation,
  /// see the shift and remove it.
  func deviceMean(
    _ node: QuantizedNode, x: UnsafeMutablePointer<Float>, xShape: [Int], y: UnsafeMutablePointer<Float>
  ) throws(EngineError) -> Bool {
    guard quantizesActivations, case .mean(let axes, _) = node.op,
      let input = graph.tensors[node.inputs[0]], let output = graph.tensors[node.outputs[0]],
      let inQ = input.quantization, let outQ = output.quantization,
      input.elementType == output.elementType,
      input.elementType == .int8 || input.elementType == .int16
    else { return false }
    let sorted = Array(Set(axes)).sorted()
    guard let low = sorted.first, let high = sorted.last, high - low + 1 == sorted.count, low >= 1,
      high < xShape.count
    else { return false }
    let outer = xShape[..<low].reduce(1, *)
    let reduced = xShape[low...high].reduce(1, *)
    let inner = xShape[(high + 1)...].reduce(1, *)
    let parameters = try MeanParameters(
      inputScale: inQ.scale, inputZeroPoint: Int32(inQ.zeroPoint), outputScale: outQ.scale,
      outputZeroPoint: Int32(outQ.zeroPoint), rounding: IntegerArithmetic.tfliteMicro.rounding)
    if input.elementType == .int8 {
      Self.integerMean(
        Int8.self, x, y, outer: outer, reduced: reduced, inner: inner, input: inQ, output: outQ,
        parameters: parameters)
    } else {
      Self.integerMean(
        Int16.self, x, y, outer: outer, reduced: reduced, inner: inner, input: inQ, output: outQ,
        parameters: parameters)
    }
    return true
  }

  /// Codes of `x`, the integer kernel, and the dequantized result in `y`.
  private static func integerMean<Element: FixedWidthInteger & SignedInteger>(
    _: Element.Type, _ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int,
    reduced: Int, inner: Int, input: QuantizationParameters, output: QuantizationParameters,
    parameters: MeanParameters
  ) {
    let count = outer * reduced * inner
    let codes = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
    let results = UnsafeMutablePointer<Element>.allocate(capacity: max(outer * inner, 1))
    defer {
      codes.deallocate()
      results.deallocate()
    }
    let zero = Float(input.zeroPoint)
    for i in 0..<count {
      let q = (x[i] / input.scale).rounded() + zero
      codes[i] =
        q.isNaN ? Element(clamping: Int64(zero)) : Element(clamping: Int64(min(max(q, -65536), 65536)))
    }
    IntegerKernels.mean(
      UnsafePointer(codes), outer: outer, reduced: reduced, inner: inner, output: results,
      parameters: parameters)
    let outputZero = Float(output.zeroPoint)
    for i in 0..<(outer * inner) { y[i] = (Float(results[i]) - outputZero) * output.scale }
  }
}
