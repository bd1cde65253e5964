/// Builds an MLP: the input flattened, then one linear layer and ReLU per entry of `hidden`, then the
/// output layer. Weights follow PyTorch's `nn.Linear` default (uniform in `±1 / sqrt(in)`).
enum MultilayerPerceptron {
  /// The student model.
  static func build(
    sampleShape: [Int], classes: Int, hidden: [Int], seed: UInt64
  ) throws(EngineError) -> Model {
    var b = StudentGraphBuilder(seed: seed)
    var x = b.flatten(StudentGraphBuilder.inputName)
    var inputs = sampleShape.reduce(1, *)
    for width in hidden {
      x = b.activation(b.linear(x, in: inputs, out: width, uniformFanIn: true), .relu)
      inputs = width
    }
    x = b.linear(x, in: inputs, out: classes, uniformFanIn: true)
    return try b.model(name: "mlp", sampleShape: sampleShape, last: x)
  }
}
