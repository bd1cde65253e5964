/// Lowering of pooling, reductions, reshapes, concatenation and softmax.
extension LoweringBuilder {
  /// MaxPool / AveragePool as MAX_POOL_2D / AVERAGE_POOL_2D with explicit pads.
  ///
  /// `count_include_pad=1` with padding becomes a PAD of zeros followed by an unpadded average, which counts
  /// the padded zeros as ONNX does (without padding the flag changes nothing). `ceil_mode` then becomes extra
  /// end padding that gives the same output size with floor arithmetic; padded cells never count, so the
  /// windows that overhang the end average only the cells they cover, as in ONNX Runtime and PyTorch.
  mutating func lowerPool(_ node: Node, _ a: PoolAttributes, max isMax: Bool) throws(EngineError) {
    let x = try shape(node.inputs[0])
    let y = try shape(node.outputs[0])
    guard a.kernel.count == 2, x.count == 4, y.count == 4 else {
      throw cannotQuantize(node, "only 2-D pooling lowers, the input is \(x)")
    }
    guard a.dilations.allSatisfy({ $0 == 1 }) else {
      throw cannotQuantize(node, "dilated pooling has no TFLite builtin")
    }
    var input = try activation(node.inputs[0])
    var inputShape = x
    var pads = a.pads
    if !isMax && a.countIncludePad && pads.contains(where: { $0 > 0 }) {
      inputShape = [x[0], x[1], x[2] + pads[0] + pads[2], x[3] + pads[1] + pads[3]]
      let output = derivedActivation("\(node.outputs[0])#padded", shape: inputShape)
      emit(
        .pad(pads: [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]]), name: "\(node.name)#pad",
        inputs: [input],
        output: output, sources: [node])
      input = output
      pads = [0, 0, 0, 0]
    }
    for axis in 0..<2 {
      let needed = (y[2 + axis] - 1) * a.strides[axis] + a.kernel[axis] - inputShape[2 + axis] - pads[axis]
      if needed > pads[2 + axis] { pads[2 + axis] = needed }
    }
    let options = Pool2DOptions(kernel: a.kernel, strides: a.strides, pads: pads)
    emit(
      isMax ? .maxPool2D(options) : .averagePool2D(options), name: node.name, inputs: [input],
      output: try activation(node.outputs[0]), sources: [node])
  }

  /// GlobalAveragePool as MEAN over every spatial axis, keeping them.
  mutating func lowerGlobalAveragePool(_ node: Node) throws(EngineError) {
    let x = try shape(node.inputs[0])
    guard x.count >= 3 else { throw cannotQuantize(node, "its input \(x) has no spatial axes") }
    emit(
      .mean(axes: Array(2..<x.count), keepDims: true), name: node.name,
      inputs: [try activation(node.inputs[0])],
      output: try activation(node.outputs[0]), sources: [node])
  }

  /// ReduceMean over axes other than the batch as MEAN.
  mutating func lowerReduceMean(_ node: Node, axes: [Int]?, keepDims: Bool) throws(EngineError) {
    let x = try shape(node.inputs[0])
    guard let axes else { throw cannotQuantize(node, "a mean over every axis includes the batch") }
    let normalized = Array(Set(axes.map { $0 < 0 ? $0 + x.count : $0 })).sorted()
    guard !normalized.isEmpty, normalized.allSatisfy({ $0 >= 1 && $0 < x.count }) else {
      throw cannotQuantize(node, "MEAN over axes \(axes) of \(x) would reduce the batch")
    }
    emit(
      .mean(axes: normalized, keepDims: keepDims), name: node.name, inputs: [try activation(node.inputs[0])],
      output: try activation(node.outputs[0]), sources: [node])
  }

  /// Flatten, Reshape, Squeeze and Unsqueeze as RESHAPE to the output shape.
  mutating func lowerReshape(_ node: Node) throws(EngineError) {
    guard graph.initializers[node.inputs[0]] == nil else {
      throw cannotQuantize(node, "its input is a constant (nothing to compute at run time)")
    }
    let x = try shape(node.inputs[0])
    let y = try shape(node.outputs[0])
    guard let xb = x.first, let yb = y.first, xb == yb else {
      throw cannotQuantize(node, "reshaping \(x) to \(y) moves data across the batch axis")
    }
    emit(
      .reshape(newShape: y), name: node.name, inputs: [try activation(node.inputs[0])],
      output: try activation(node.outputs[0]), sources: [node])
  }

  /// Concat along a non-batch axis as CONCATENATION, with a following Relu or Clip fused.
  mutating func lowerConcat(_ node: Node, axis: Int) throws(EngineError) {
    let y = try shape(node.outputs[0])
    let normalized = axis < 0 ? axis + y.count : axis
    guard normalized >= 1, normalized < y.count else {
      throw cannotQuantize(node, "concatenation along axis \(axis) joins samples of the batch")
    }
    var inputs: [String] = []
    for input in node.inputs { inputs.append(try operand(input)) }
    let (fused, output, absorbed) = fuseActivation(after: node.outputs[0])
    emit(
      .concatenation(axis: normalized, activation: fused), name: node.name, inputs: inputs,
      output: try activation(output), sources: [node] + (absorbed.map { [$0] } ?? []))
  }

  /// Softmax over the channel axis (the last axis in TFLite's NHWC) as SOFTMAX.
  mutating func lowerSoftmax(_ node: Node, axis: Int) throws(EngineError) {
    let x = try shape(node.inputs[0])
    let normalized = axis < 0 ? axis + x.count : axis
    guard normalized == 1, x.count >= 2 else {
      throw cannotQuantize(
        node, "softmax over axis \(axis) of \(x); TFLite's SOFTMAX works on the channel axis only")
    }
    emit(
      .softmax(beta: 1), name: node.name, inputs: [try activation(node.inputs[0])],
      output: try activation(node.outputs[0]), sources: [node])
  }
}
