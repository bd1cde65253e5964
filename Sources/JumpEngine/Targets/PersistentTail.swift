/// What TFLite Micro keeps at the tail of its arena for the life of the interpreter, besides the planned
/// tensors at its head: the structs of every tensor and node, each kernel's op data and per-channel
/// requantization arrays, parsed builtin options, scratch-buffer handles and the allocator itself.
///
/// The size is a model of TFLite Micro's allocations, not a plan: the pieces are `sizeof` of the structs
/// involved [tflm: micro_allocator.cc, kernels/conv.h, fully_connected.h, pooling.h, reduce.h, pad.h,
/// add.h, mul.h, quantize.h, dequantize.h; tensorflow/lite/kernels/internal/types.h], each persistent
/// buffer rounded up to the 16-byte arena alignment. With 8-byte pointers it is checked against the
/// tail that TFLite Micro's Python interpreter (a 64-bit build with the recording allocator) reports for
/// every file the interop tests export: within 1% of the whole arena, never below it. 32-bit
/// microcontroller builds have 4-byte pointers, so the pointer-carrying structs shrink; that figure is
/// derived, not measured.
public enum PersistentTail {
  /// The pointer width of a 64-bit host build (TFLite Micro's Python interpreter).
  public static let hostPointerBytes = 8
  /// The pointer width of a 32-bit microcontroller build.
  public static let microcontrollerPointerBytes = 4

  /// The estimated tail of the interpreter for `model` with `pointerBytes`-byte pointers.
  static func bytes(_ model: TFLiteModel, pointerBytes: Int) -> Int {
    let wide = pointerBytes >= 8
    // The allocator objects, the subgraph table and the fixed bookkeeping of an empty interpreter,
    // measured on the host; half of it is pointers.
    var total = wide ? 540 : 300
    // TfLiteEvalTensor (data, dims, type) per tensor; NodeAndRegistration per operator.
    total += model.tensors.count * (wide ? 24 : 12)
    total += model.operators.count * (wide ? 64 : 36)
    // The graph's inputs and outputs also get a full TfLiteTensor, and quantized ones their
    // TfLiteAffineQuantization with its scale and zero-point arrays.
    for index in model.inputs + model.outputs {
      total += wide ? 64 : 40
      if model.tensors[index].quantization != nil { total += wide ? 32 : 24 }
    }
    var scratchRequests = 0
    for op in model.operators {
      total += operatorBytes(op, in: model, wide: wide)
      scratchRequests += KernelScratch.requests(for: op, in: model).count
    }
    // One ScratchBufferHandle (a data pointer) per scratch request, and two small persistent buffers
    // every interpreter allocates.
    total += scratchRequests * pointerBytes + 64
    // Margin for what varies between builds by a few bytes (struct padding, allocation order).
    return total + 32
  }

  /// Op data (`Init`), per-channel arrays (`Prepare`) and parsed builtin options of one operator.
  private static func operatorBytes(
    _ op: TFLiteModel.Operator, in model: TFLiteModel, wide: Bool
  ) -> Int {
    let aligned = MemoryPlanner.aligned
    /// Two int32 arrays (multiplier and shift) per output channel.
    func channelArrays(_ channels: Int) -> Int { 2 * aligned(4 * channels) }
    func filter() -> TFLiteModel.Tensor? {
      op.inputs.count > 1 && op.inputs[1] >= 0 ? model.tensors[op.inputs[1]] : nil
    }
    switch op.op {
    case .conv2D, .depthwiseConv2D:
      // OpDataConv (two pointers) and TfLiteConvParams / TfLiteDepthwiseConvParams (7 ints).
      let channels = op.op == .conv2D ? (filter()?.shape.first ?? 0) : (filter()?.shape.last ?? 0)
      return aligned(wide ? 72 : 56) + channelArrays(channels) + 28
    case .fullyConnected:
      // OpDataFullyConnected (two pointers); the arrays only for per-channel weights.
      let perChannel = (filter()?.quantization?.scales.count ?? 0) > 1
      let arrays = perChannel ? channelArrays(filter()?.shape.first ?? 0) : 0
      return aligned(wide ? 64 : 48) + arrays + 16
    case .maxPool2D, .averagePool2D:
      // OpDataPooling and TfLitePoolParams with its computed padding.
      return 32 + 40
    case .pad:
      // PadParams and the output zero point.
      return 64
    case .mean:
      // OpDataReduce and TfLiteReducerParams.
      return 48 + 4
    case .softmax:
      // SoftmaxParams (five table pointers), TfLiteSoftmaxParams and the int8 kernel's extra state.
      return aligned(wide ? 80 : 60) + 60
    case .hardSwish:
      return 32
    case .add, .sub:
      // OpDataAdd / OpDataSub and the parsed activation.
      return 64 + 8
    case .mul:
      return 48 + 4
    case .logistic:
      return 32
    case .concatenation:
      // OpData with ConcatenationParams' four pointers, and TfLiteConcatenationParams.
      return aligned(wide ? 48 : 32) + 8
    case .quantize, .dequantize:
      return 32
    case .reshape, .relu, .reluN1To1, .relu6:
      return 0
    }
  }
}
