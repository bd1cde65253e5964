/// The `OperatorCode.version` TFLite's converter writes for the operators this writer emits, from TFLite's
/// op-version rules (`GetBuiltinOperatorVersion` over each operator's signature: tensor types, weight
/// quantization, options).
///
/// A version names the kernel variant a runtime must have: LiteRT refuses a version it does not register,
/// so an int16 LOGISTIC marked version 1 claims a float-or-uint8 kernel would do. The converter keeps one
/// code per builtin operator, at the highest version any of its operators needs.
enum TFLiteOperatorVersion {
  /// The version of every operator code used in `model`: the highest over its operators.
  static func versions(_ model: TFLiteModel) -> [TFLiteBuiltinOperator: Int32] {
    var versions: [TFLiteBuiltinOperator: Int32] = [:]
    for op in model.operators {
      versions[op.op] = max(versions[op.op] ?? 1, version(of: op, in: model))
    }
    return versions
  }

  /// The version one operator needs on its own.
  static func version(of op: TFLiteModel.Operator, in model: TFLiteModel) -> Int32 {
    func tensor(_ index: Int?) -> TFLiteModel.Tensor? {
      guard let index, index >= 0, index < model.tensors.count else { return nil }
      return model.tensors[index]
    }
    let input = tensor(op.inputs.first)
    let weight = tensor(op.inputs.count > 1 ? op.inputs[1] : nil)
    let output = tensor(op.outputs.first)
    let inputType = input?.type
    let wide = inputType == .int16 && output?.type == .int16
    switch op.op {
    case .conv2D:
      // 16x8 (int8 filter) has no version of its own: the rule for int16 asks for an int16 filter.
      if let input, let weight, input.shape.count == 4, weight.shape.count == 4,
        input.shape[3] != weight.shape[3]
      {
        return 6  // grouped
      }
      if inputType == .int8 && output?.type == .int8 {
        if weight?.type == .int8 { return 3 }
        if weight?.type == .int4 { return 7 }
      }
      return 1
    case .depthwiseConv2D:
      // The rules give int4 filters version 7, which LiteRT's resolver does not register (it stops at 6;
      // measured with ai-edge-litert 2.3.0) although its kernel reads int4 filters: such a file would not
      // load. TFLite Micro ignores versions, so int4 is written as the int8 variant, 3.
      if inputType == .int8 && output?.type == .int8 && (weight?.type == .int8 || weight?.type == .int4) {
        return 3
      }
      if case .depthwiseConv2D(_, _, _, _, let dilationH, let dilationW, _) = op.options,
        dilationH != 1 || dilationW != 1
      {
        return 2
      }
      return 1
    case .fullyConnected:
      if op.inputs.count == 2 { return 6 }
      if inputType == .int8 && output?.type == .int8 {
        if weight?.type == .int8 { return 4 }
        if weight?.type == .int4 { return 10 }
      }
      return 1
    case .add:
      // Quantized int16 inputs with general (not power-of-two) scaling, which the writer always asks for.
      if wide { return 3 }
      return inputType == .int8 ? 2 : 1
    case .sub:
      if wide { return 5 }
      return inputType == .int8 ? 2 : 1
    case .mul:
      if inputType == .int16 { return 4 }
      if let a = input?.quantization?.scales.first, let b = weight?.quantization?.scales.first,
        let c = output?.quantization?.scales.first, c != 0, a * b / c >= 1
      {
        return 3
      }
      return inputType == .int8 ? 2 : 1
    case .averagePool2D, .maxPool2D, .logistic:
      if wide { return 3 }
      return inputType == .int8 ? 2 : 1
    case .softmax, .mean, .relu6, .relu, .concatenation:
      if inputType == .int16 { return 3 }
      return inputType == .int8 ? 2 : 1
    case .pad:
      if let input, input.shape.count > 4 { return 4 }
      if inputType == .int16 { return 3 }
      return inputType == .int8 ? 2 : 1
    case .quantize:
      if inputType == .int4 || output?.type == .int4 { return 4 }
      if let q = output?.quantization, q.scales.count > 1 { return 3 }
      return output?.type == .int16 ? 2 : 1
    case .dequantize:
      if inputType == .int4 { return 6 }
      if inputType == .int16 { return 3 }
      if inputType == .int8 {
        if let q = input?.quantization, q.scales.count > 1 { return 5 }
        return 2
      }
      return 1
    case .reshape, .reluN1To1, .hardSwish:
      return 1
    }
  }
}
