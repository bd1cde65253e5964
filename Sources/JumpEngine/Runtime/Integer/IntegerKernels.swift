/// TFLite's reference integer kernels, re-implemented on raw NCHW buffers for the integer reference executor.
///
/// Each kernel computes, element for element, what the TFLite Micro reference kernel computes for the same
/// quantization parameters, so accuracy measured with them is the device's accuracy. They differ from TFLite
/// only in layout (NCHW, the logical layout of the graph IR; the exporter relayouts to NHWC) and in loop
/// order, which cannot change results: integer sums are exact (and wrap identically when they overflow).
///
/// Conventions, as in `Kernels`: caller-owned memory through unsafe pointers, no allocation per call (scratch
/// is passed in, its size given by a `...ScratchCount` function), inner loops free of bounds checks. Kernels
/// that take `threads` split disjoint output planes across threads; results do not depend on the split.
/// Quantization parameters arrive precomputed (the `...Parameters` types, built once per node from the
/// tensors' scales exactly as TFLite Micro's `Prepare` builds them).
///
/// Kernels shared by int8 and int16 are generic and pre-specialized (`@_specialize`) for both: debug builds
/// compile files apart, where a generic called from another file would otherwise run unspecialized
/// (hundreds of times slower).
enum IntegerKernels {
  /// The work (multiply-adds) above which a kernel spreads its planes over threads.
  static let parallelWork = 1 << 15
}

/// How a convolution, depthwise convolution or fully connected kernel turns accumulators into outputs.
///
/// `acc = sum(w * (x - inputZeroPoint)) + bias`, then `out = clamp(M_c(acc) + outputZeroPoint, range)`, with
/// `M_c` the multiplier of output channel `c` (a single multiplier applies to every channel). In the 16x8
/// mode both zero points are 0 and are ignored.
struct ConvolutionQuantization: Equatable, Sendable {
  /// The input zero point (subtracted from every input value).
  var inputZeroPoint: Int32
  /// The output zero point (added after requantization).
  var outputZeroPoint: Int32
  /// One multiplier per output channel, or a single one for per-tensor weights.
  var multipliers: [QuantizedMultiplier]
  /// The clamp of the fused activation.
  var range: ActivationRange
  /// The device's rounding mode.
  var rounding: RoundingMode

  /// Parameters from their parts.
  init(
    inputZeroPoint: Int32, outputZeroPoint: Int32, multipliers: [QuantizedMultiplier],
    range: ActivationRange = .int8, rounding: RoundingMode = .double
  ) {
    self.inputZeroPoint = inputZeroPoint
    self.outputZeroPoint = outputZeroPoint
    self.multipliers = multipliers
    self.range = range
    self.rounding = rounding
  }

  /// The per-channel multipliers of a CONV_2D or DEPTHWISE_CONV_2D (and per-channel FULLY_CONNECTED), as
  /// TFLite's `PopulateConvolutionQuantizationParams` computes them: `double(s_in) * double(s_w[c]) /
  /// double(s_out)`. A single weight scale is broadcast to `channels`.
  static func channelMultipliers(
    inputScale: Float, weightScales: [Float], outputScale: Float, channels: Int,
    rounding: RoundingMode = .double
  ) throws(EngineError) -> [QuantizedMultiplier] {
    guard weightScales.count == 1 || weightScales.count == channels else {
      throw EngineError(
        .invalidModel, "\(weightScales.count) weight scales for \(channels) output channels")
    }
    var result: [QuantizedMultiplier] = []
    result.reserveCapacity(channels)
    for c in 0..<channels {
      let scale = weightScales.count == 1 ? weightScales[0] : weightScales[c]
      let real = Double(inputScale) * Double(scale) / Double(outputScale)
      result.append(try QuantizedMultiplier(real, rounding: rounding))
    }
    return result
  }

  /// The multiplier of a per-tensor FULLY_CONNECTED, as TFLite's `GetQuantizedConvolutionMultipler` computes
  /// it: the input and weight scales are multiplied in `float`, then divided by the output scale in `double`.
  static func fullyConnectedMultiplier(
    inputScale: Float, weightScale: Float, outputScale: Float, rounding: RoundingMode = .double
  ) throws(EngineError) -> QuantizedMultiplier {
    let product = Double(inputScale * weightScale)
    return try QuantizedMultiplier(product / Double(outputScale), rounding: rounding)
  }

  /// The multiplier of output channel `c`.
  @inline(__always)
  func multiplier(_ c: Int) -> QuantizedMultiplier {
    multipliers.count == 1 ? multipliers[0] : multipliers[c]
  }
}
