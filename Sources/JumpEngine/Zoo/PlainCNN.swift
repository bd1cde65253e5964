/// Builds a small plain CNN: `depth` stages of 3x3 convolution, batch norm, ReLU and 2x2 max pooling, the
/// channels doubling from `16 * width`, then global average pooling and one linear layer.
///
/// The simplest student that still sees spatial structure: every op is a TFLite builtin with an INT8 kernel
/// on every microcontroller runtime. A stage stops pooling once the feature map is down to 1x1.
enum PlainCNN {
  /// The student model.
  static func build(
    sampleShape: [Int], classes: Int, width: Double, depth: Int, seed: UInt64
  ) throws(EngineError) -> Model {
    var b = StudentGraphBuilder(seed: seed)
    var x = StudentGraphBuilder.inputName
    var inputs = sampleShape[0]
    var size = sampleShape.count == 3 ? min(sampleShape[1], sampleShape[2]) : 1
    for stage in 0..<depth {
      let out = makeDivisible(16 * width * Double(1 << stage))
      x = b.convolution(x, in: inputs, out: out, kernel: 3)
      x = b.activation(b.batchNorm(x, channels: out), .relu)
      if size >= 2 {
        x = b.maxPool(x, size: 2)
        size /= 2
      }
      inputs = out
    }
    x = b.flatten(b.globalAveragePool(x))
    x = b.linear(x, in: inputs, out: classes, uniformFanIn: true)
    return try b.model(name: "cnn", sampleShape: sampleShape, last: x)
  }
}
