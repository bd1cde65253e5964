/// The gradients of a loss with respect to the trainable parameters (and, on request, the input).
public struct Gradients: Sendable {
  /// Gradient elements by parameter name, in the parameter's shape order.
  var values: [String: [Float]]
  /// Parameter shapes by name.
  let shapes: [String: [Int]]
  /// The gradient with respect to the model input, when it was asked for.
  public let input: Tensor?

  /// The names that have a gradient, sorted.
  public var names: [String] { values.keys.sorted() }

  /// The gradient of one parameter.
  public subscript(name: String) -> Tensor? {
    guard let v = values[name], let shape = shapes[name] else { return nil }
    return Tensor(shape: shape, floats: v)
  }

  /// The Euclidean norm of all parameter gradients together, accumulated in `Double`.
  public var globalNorm: Double {
    var total: Double = 0
    for name in names {
      for v in values[name] ?? [] { total += Double(v) * Double(v) }
    }
    return total.squareRoot()
  }

  /// Whether every gradient value is finite (no NaN, no infinity).
  public var areFinite: Bool {
    values.values.allSatisfy { array in
      array.withUnsafeBufferPointer { buffer in buffer.allSatisfy { $0.isFinite } }
    }
  }

  /// Scales every gradient so that the global norm is at most `maxNorm` (PyTorch's `clip_grad_norm_`);
  /// returns the norm before clipping.
  @discardableResult
  public mutating func clip(globalNorm maxNorm: Double) -> Double {
    let norm = globalNorm
    guard norm > maxNorm, norm.isFinite else { return norm }
    let factor = Float(maxNorm / (norm + 1e-6))
    for name in names {
      let count = values[name]?.count ?? 0
      values[name]?.withMutablePointer { p in
        for i in 0..<count { p[i] *= factor }
      }
    }
    return norm
  }
}

extension TrainableGraph {
  /// Backpropagates `outputGradients` (one per model output, nil for outputs the loss does not read)
  /// through `pass` and returns the gradient of every trainable parameter.
  ///
  /// With `wantsInput` the gradient of the input is computed too. Throws `invalidData` when a gradient's
  /// shape differs from its output's.
  public func backward(
    _ pass: ForwardPass, outputGradients: [Tensor?], wantsInput: Bool = false
  ) throws(EngineError) -> Gradients {
    try backward(
      pass, outputGradients: outputGradients, wantsInput: wantsInput, rewriteGradient: { _, _, _ in })
  }

  /// `backward(_:outputGradients:wantsInput:)` for a pass with rewritten values: `rewriteGradient` turns the
  /// gradient of a replacement into that of the original value (given the original) before it flows on,
  /// and the producer's rule sees the original output.
  func backward(
    _ pass: ForwardPass, outputGradients: [Tensor?], wantsInput: Bool,
    rewriteGradient: (_ name: String, _ original: TrainValue, _ gradient: inout TrainValue) -> Void
  ) throws(EngineError) -> Gradients {
    var gradients: [String: TrainValue] = [:]
    for (output, gradient) in zip(graph.outputs, outputGradients) {
      guard let gradient else { continue }
      guard gradient.shape == pass.values[output.name]?.shape else {
        throw EngineError(
          .invalidData,
          "gradient of '\(output.name)' has shape \(gradient.shape), the output has \(pass.values[output.name]?.shape ?? [])"
        )
      }
      gradients[output.name] = TrainValue(gradient)
    }
    let needed = valuesNeedingGradients(wantsInput: wantsInput)
    let trainable = Set(parameterNames)
    for (index, node) in graph.nodes.enumerated().reversed() {
      let outputName = node.outputs[0]
      guard var outputGradient = gradients[outputName], needed.contains(outputName) else { continue }
      var inputs: [TrainValue] = []
      for name in node.inputs { inputs.append(try value(name, in: pass.values, node: node)) }
      guard let output = pass.unrewritten[outputName] ?? pass.values[outputName] else { continue }
      if let original = pass.unrewritten[outputName] {
        rewriteGradient(outputName, original, &outputGradient)
      }
      let context = BackwardContext(
        node: node, inputs: inputs, output: output, outputGradient: outputGradient, saved: pass.saved[index],
        needs: node.inputs.map { needed.contains($0) }, mode: pass.mode, threads: threads)
      let inputGradients = try NodeBackward.run(context)
      // The output's gradient is consumed (a view's input gradient is the same array, so it stays).
      if let consumed = gradients.removeValue(forKey: outputName), !node.op.isViewOnly {
        consumed.recycle()
      }
      for (name, gradient) in zip(node.inputs, inputGradients) {
        guard let gradient, needed.contains(name) else { continue }
        if gradients[name] == nil {
          gradients[name] = gradient
        } else {
          gradients[name]?.add(gradient)
          gradient.recycle()
        }
      }
    }
    if wantsInput, let original = pass.unrewritten[inputName], var gradient = gradients[inputName] {
      rewriteGradient(inputName, original, &gradient)
      gradients[inputName] = gradient
    }
    var values: [String: [Float]] = [:]
    for name in trainable {
      values[name] = gradients[name]?.values ?? [Float](repeating: 0, count: constants[name]?.count ?? 0)
    }
    return Gradients(
      values: values, shapes: constantShapes.filter { trainable.contains($0.key) },
      input: wantsInput ? gradients[inputName]?.tensor : nil)
  }

  /// The values whose gradient some wanted gradient depends on: the parameters (and the input), and every
  /// node output computed from them.
  func valuesNeedingGradients(wantsInput: Bool) -> Set<String> {
    var needed = Set(parameterNames)
    if wantsInput { needed.insert(inputName) }
    for node in graph.nodes where node.inputs.contains(where: { needed.contains($0) }) {
      needed.formUnion(node.outputs)
    }
    return needed
  }
}
