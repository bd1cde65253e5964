import Foundation

/// The quantization error of one tensor: signal-to-quantization-noise ratio against the float graph.
public struct TensorSQNR: Sendable, Equatable, CustomStringConvertible {
  /// The tensor's name.
  public var tensor: String
  /// The node that writes it (nil for the graph input).
  public var producer: String?
  /// `10 log10(Σ x² / Σ (x − x̂)²)` in dB; `+inf` when the two agree exactly.
  public var decibels: Double

  /// Creates an entry.
  public init(tensor: String, producer: String?, decibels: Double) {
    self.tensor = tensor
    self.producer = producer
    self.decibels = decibels
  }

  /// `conv1: 31.2 dB`.
  public var description: String {
    "\(tensor): \(decibels.isFinite ? String(format: "%.1f", decibels) : "inf") dB"
  }
}

/// Measures how far fake-quantized activations are from the float ones, tensor by tensor.
///
/// SQNR (in dB) is the usual per-layer measure: about 6 dB per bit for a well-used range, so an int8 tensor
/// at 30-40 dB is healthy and one under 15-20 dB is where accuracy goes. The worst tensors point at the
/// layers to calibrate differently or keep in float.
public enum QuantizationErrorReport {
  /// `10 log10(Σ reference² / Σ (reference − approximation)²)` in dB, `+inf` when they are equal, `-inf`
  /// when the reference is all zero but the approximation is not.
  public static func sqnr(
    reference: UnsafeBufferPointer<Float>, approximation: UnsafeBufferPointer<Float>
  ) -> Double {
    var signal = 0.0
    var noise = 0.0
    for (a, b) in zip(reference, approximation) {
      signal += Double(a) * Double(a)
      noise += (Double(a) - Double(b)) * (Double(a) - Double(b))
    }
    return decibels(signal: signal, noise: noise)
  }

  /// SQNR of two arrays of the same length (see the buffer form).
  public static func sqnr(reference: [Float], approximation: [Float]) -> Double {
    reference.withUnsafeBufferPointer { r in
      approximation.withUnsafeBufferPointer { a in sqnr(reference: r, approximation: a) }
    }
  }

  /// The ratio in dB from accumulated signal and noise energies.
  static func decibels(signal: Double, noise: Double) -> Double {
    if noise == 0 { return .infinity }
    if signal == 0 { return -.infinity }
    return 10 * log10(signal / noise)
  }

  /// SQNR of every activation the lowered (float) graph and the quantized graph share, worst first.
  ///
  /// Runs both graphs over `input` in passes of `batchSize` samples: each pass records the float
  /// activations, then compares the quantized run's activations as they are produced, so memory holds one
  /// pass of activations, not the whole data set. Tensors inserted by quantization (QUANTIZE / DEQUANTIZE
  /// copies) are not in the float graph and are left out.
  public static func perTensor(
    lowered: LoweredGraph, quantized: QuantizedGraph, input: Tensor, batchSize: Int = 16, threads: Int = 1,
    isCancelled: () -> Bool = { false }
  ) throws(EngineError) -> [TensorSQNR] {
    let reference = try SimulationExecutor(graph: lowered.graph, batchSize: batchSize, threads: threads)
    let simulated = try SimulationExecutor(graph: quantized, batchSize: batchSize, threads: threads)
    let names = Set(lowered.activationTensors).intersection(quantized.tensors.keys)
    var signal: [String: Double] = [:]
    var noise: [String: Double] = [:]
    let n = input.shape.first ?? 0
    let sampleSize = input.shape.dropFirst().reduce(1, *)
    let values = input.floats ?? input.asFloats()
    var start = 0
    while start < n {
      let count = min(batchSize, n - start)
      let chunk = Tensor(
        shape: [count] + input.shape.dropFirst(),
        floats: Array(values[(start * sampleSize)..<((start + count) * sampleSize)]))
      let recorded = try reference.run(input: chunk, recording: names, isCancelled: isCancelled).recorded
      _ = try simulated.run(input: chunk, isCancelled: isCancelled) { view in
        guard let float = recorded[view.name]?.floats, float.count == view.values.count else { return }
        var s = 0.0
        var e = 0.0
        for (a, b) in zip(float, view.values) {
          s += Double(a) * Double(a)
          e += (Double(a) - Double(b)) * (Double(a) - Double(b))
        }
        signal[view.name, default: 0] += s
        noise[view.name, default: 0] += e
      }
      start += count
    }
    var producers: [String: String] = [:]
    for node in lowered.graph.nodes {
      for output in node.outputs { producers[output] = node.name }
    }
    return signal.keys.map { name in
      TensorSQNR(
        tensor: name, producer: producers[name],
        decibels: decibels(signal: signal[name] ?? 0, noise: noise[name] ?? 0))
    }.sorted { ($0.decibels, $0.tensor) < ($1.decibels, $1.tensor) }
  }
}
