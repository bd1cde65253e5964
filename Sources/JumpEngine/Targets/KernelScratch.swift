/// The arena scratch TFLite Micro's reference kernels request in `Prepare`, per operator, in request order.
///
/// - CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED with an INT4 filter unpack it to int8 at run time into
///   `FlatSize(filter)` bytes [tflm: kernels/conv_common.cc, depthwise_conv_common.cc, fully_connected.cc].
/// - MEAN asks for an int32 accumulator per output element when its input is int8 or int16, then an int
///   per input dimension and one per reduced axis [tflm: kernels/reduce_common.cc
///   `PrepareMeanOrSumHelper`].
/// No other op the writer emits requests scratch from the reference kernels. Optimized kernel libraries
/// (CMSIS-NN, ESP-NN) ask for more; the plan follows the reference kernels TFLite Micro's Python
/// interpreter uses, so it can be checked against it.
enum KernelScratch {
  /// One request: bytes before alignment, and why.
  struct Request: Equatable {
    var bytes: Int
    var purpose: String
  }

  /// The requests of `op`, in the order its kernel makes them.
  static func requests(for op: TFLiteModel.Operator, in model: TFLiteModel) -> [Request] {
    func tensor(_ position: Int) -> TFLiteModel.Tensor? {
      guard position < op.inputs.count, op.inputs[position] >= 0 else { return nil }
      return model.tensors[op.inputs[position]]
    }
    switch op.op {
    case .conv2D, .depthwiseConv2D, .fullyConnected:
      guard let filter = tensor(1), filter.type == .int4 else { return [] }
      return [Request(bytes: filter.shape.reduce(1, *), purpose: "int4 filter unpacked")]
    case .mean:
      guard let input = tensor(0), let axes = tensor(1), let outputIndex = op.outputs.first else { return [] }
      var result: [Request] = []
      if input.type == .int8 || input.type == .int16 {
        let outputs = model.tensors[outputIndex].shape.reduce(1, *)
        result.append(Request(bytes: 4 * outputs, purpose: "int32 accumulators"))
      }
      result.append(Request(bytes: 4 * input.shape.count, purpose: "input index"))
      result.append(Request(bytes: 4 * axes.shape.reduce(1, *), purpose: "resolved axes"))
      return result
    default:
      return []
    }
  }
}
