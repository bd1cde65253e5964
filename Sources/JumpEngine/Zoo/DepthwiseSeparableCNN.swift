/// Builds a DS-CNN, the depthwise-separable network of TinyML keyword spotting (Zhang et al., "Hello Edge",
/// 2017, DS-CNN-S): a strided stem convolution, `depth` blocks of depthwise 3x3 then pointwise 1x1 (each with
/// batch norm and ReLU), global average pooling and one linear layer.
///
/// The stem is 3x3 with stride 2 (the paper's 10x4 kernel fits spectrograms, not images); every block keeps
/// `64 * width` channels rounded to a multiple of 8, and blocks after the first stride 2 while the feature
/// map is larger than 4x4, so wide inputs do not make the pointwise layers expensive.
enum DepthwiseSeparableCNN {
  /// The student model.
  static func build(
    sampleShape: [Int], classes: Int, width: Double, depth: Int, seed: UInt64
  ) throws(EngineError) -> Model {
    var b = StudentGraphBuilder(seed: seed)
    let channels = makeDivisible(64 * width)
    let spatial = sampleShape.count == 3
    var x = StudentGraphBuilder.inputName
    if spatial {
      var size = (sampleShape[1] + 1) / 2
      x = b.convolution(x, in: sampleShape[0], out: channels, kernel: 3, stride: 2)
      x = b.activation(b.batchNorm(x, channels: channels), .relu)
      for index in 0..<depth {
        let stride = index > 0 && size > 4 ? 2 : 1
        if stride == 2 { size = (size + 1) / 2 }
        x = b.convolution(x, in: channels, out: channels, kernel: 3, stride: stride, groups: channels)
        x = b.activation(b.batchNorm(x, channels: channels), .relu)
        x = b.convolution(x, in: channels, out: channels, kernel: 1)
        x = b.activation(b.batchNorm(x, channels: channels), .relu)
      }
      x = b.globalAveragePool(x)
    }
    x = b.flatten(x)
    let features = spatial ? channels : sampleShape.reduce(1, *)
    x = b.linear(x, in: features, out: classes, uniformFanIn: true)
    return try b.model(name: "dscnn", sampleShape: sampleShape, last: x)
  }
}
