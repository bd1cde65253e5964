/// Builds MobileNetV3 (Small or Large) for a teacher's input and class count.
///
/// Every channel count is multiplied by `width` and rounded with `makeDivisible`, the classifier's hidden
/// layer included, as torchvision does. Convolutions have no bias (batch norm follows, eps 1e-3);
/// squeeze-excite squeezes to `makeDivisible(expanded / 4)` with biased 1x1 convolutions, ReLU and
/// hard-sigmoid (`relu6(x + 3) / 6`); the classifier is Linear, hard-swish, Linear (dropout is an identity at
/// inference and is left out). The input resolution is whatever the teacher takes: the strides only shrink it.
enum MobileNetV3 {
  /// Batch norm epsilon of torchvision's MobileNetV3.
  static let epsilon: Float = 1e-3

  /// The student model.
  static func build(
    _ table: MobileNetV3Table, name: String, sampleShape: [Int], classes: Int, width: Double, seed: UInt64
  ) throws(EngineError) -> Model {
    var b = StudentGraphBuilder(seed: seed)
    let channels = { (c: Int) in makeDivisible(Double(c) * width) }
    var inputs = channels(table.stem)
    var x = b.convolution(
      StudentGraphBuilder.inputName, in: sampleShape[0], out: inputs, kernel: 3, stride: 2)
    x = b.batchNorm(x, channels: inputs, epsilon: epsilon)
    x = b.activation(x, .hardSwish)
    for block in table.blocks {
      let expanded = channels(block.expanded)
      let out = channels(block.out)
      x = invertedResidual(&b, x, in: inputs, expanded: expanded, out: out, block: block)
      inputs = out
    }
    let lastConv = 6 * inputs
    x = b.convolution(x, in: inputs, out: lastConv, kernel: 1)
    x = b.batchNorm(x, channels: lastConv, epsilon: epsilon)
    x = b.activation(x, .hardSwish)
    x = b.flatten(b.globalAveragePool(x))
    let hidden = channels(table.lastChannels)
    x = b.activation(b.linear(x, in: lastConv, out: hidden), .hardSwish)
    x = b.linear(x, in: hidden, out: classes)
    return try b.model(name: name, sampleShape: sampleShape, last: x)
  }

  /// Expand (1x1, skipped when `expanded == in`), depthwise, optional squeeze-excite, project (1x1, linear),
  /// and the residual sum when the block keeps its shape.
  static func invertedResidual(
    _ b: inout StudentGraphBuilder, _ input: String, in inputs: Int, expanded: Int, out: Int,
    block: MobileNetV3Block
  ) -> String {
    let act: Op = block.hardSwish ? .hardSwish : .relu
    var x = input
    if expanded != inputs {
      x = b.convolution(x, in: inputs, out: expanded, kernel: 1)
      x = b.activation(b.batchNorm(x, channels: expanded, epsilon: epsilon), act)
    }
    x = b.convolution(
      x, in: expanded, out: expanded, kernel: block.kernel, stride: block.stride, groups: expanded)
    x = b.activation(b.batchNorm(x, channels: expanded, epsilon: epsilon), act)
    if block.squeezeExcite {
      let squeezed = makeDivisible(Double(expanded / 4))
      var scale = b.globalAveragePool(x)
      scale = b.activation(b.convolution(scale, in: expanded, out: squeezed, kernel: 1, bias: true), .relu)
      scale = b.convolution(scale, in: squeezed, out: expanded, kernel: 1, bias: true)
      scale = b.activation(scale, .hardSigmoid(alpha: 1.0 / 6, beta: 0.5))
      x = b.multiply(x, scale)
    }
    x = b.convolution(x, in: expanded, out: out, kernel: 1)
    x = b.batchNorm(x, channels: out, epsilon: epsilon)
    return block.stride == 1 && inputs == out ? b.add(x, input) : x
  }
}
