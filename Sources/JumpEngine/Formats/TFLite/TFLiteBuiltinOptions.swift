/// The builtin options of one operator (the `BuiltinOptions` union), and how each table is written.
enum TFLiteBuiltinOptions: Sendable {
  /// No options table.
  case none
  /// `Conv2DOptions`.
  case conv2D(
    padding: TFLitePadding, strideH: Int, strideW: Int, dilationH: Int, dilationW: Int,
    activation: TFLiteActivation)
  /// `DepthwiseConv2DOptions`.
  case depthwiseConv2D(
    padding: TFLitePadding, strideH: Int, strideW: Int, depthMultiplier: Int,
    dilationH: Int, dilationW: Int, activation: TFLiteActivation)
  /// `FullyConnectedOptions`.
  case fullyConnected(activation: TFLiteActivation)
  /// `Pool2DOptions`.
  case pool2D(
    padding: TFLitePadding, strideH: Int, strideW: Int, filterH: Int, filterW: Int,
    activation: TFLiteActivation)
  /// `AddOptions`.
  case add(activation: TFLiteActivation)
  /// `SubOptions`.
  case sub(activation: TFLiteActivation)
  /// `MulOptions`.
  case mul(activation: TFLiteActivation)
  /// `SoftmaxOptions`.
  case softmax(beta: Float)
  /// `ConcatenationOptions`.
  case concatenation(axis: Int, activation: TFLiteActivation)
  /// `ReshapeOptions`.
  case reshape(newShape: [Int])
  /// `ReducerOptions` (MEAN).
  case reducer(keepDims: Bool)
  /// `PadOptions` (empty).
  case pad
  /// `QuantizeOptions` (empty).
  case quantize
  /// `DequantizeOptions` (empty).
  case dequantize
  /// `HardSwishOptions` (empty).
  case hardSwish

  /// The union tag.
  var tag: UInt8 {
    switch self {
    case .none: return 0
    case .conv2D: return 1
    case .depthwiseConv2D: return 2
    case .pool2D: return 5
    case .fullyConnected: return 8
    case .softmax: return 9
    case .concatenation: return 10
    case .add: return 11
    case .reshape: return 17
    case .mul: return 21
    case .pad: return 22
    case .reducer: return 27
    case .sub: return 28
    case .dequantize: return 38
    case .quantize: return 89
    case .hardSwish: return 91
    }
  }

  /// Writes the options table; nil for `.none`.
  func write(to builder: inout FlatBufferBuilder) -> FlatBufferOffset? {
    if case .none = self { return nil }
    // Vectors are children, written before their table.
    var newShape: FlatBufferOffset?
    if case .reshape(let shape) = self { newShape = builder.createVector(shape.map { Int32($0) }) }
    builder.startTable()
    switch self {
    case .none, .pad, .quantize, .dequantize, .hardSwish:
      break
    case .conv2D(let padding, let strideH, let strideW, let dilationH, let dilationW, let activation):
      builder.add(slot: 0, padding.rawValue, default: 0)
      builder.add(slot: 1, Int32(strideW), default: 0)
      builder.add(slot: 2, Int32(strideH), default: 0)
      builder.add(slot: 3, activation.rawValue, default: 0)
      builder.add(slot: 4, Int32(dilationW), default: 1)
      builder.add(slot: 5, Int32(dilationH), default: 1)
    case .depthwiseConv2D(
      let padding, let strideH, let strideW, let multiplier, let dilationH, let dilationW, let activation):
      builder.add(slot: 0, padding.rawValue, default: 0)
      builder.add(slot: 1, Int32(strideW), default: 0)
      builder.add(slot: 2, Int32(strideH), default: 0)
      builder.add(slot: 3, Int32(multiplier), default: 0)
      builder.add(slot: 4, activation.rawValue, default: 0)
      builder.add(slot: 5, Int32(dilationW), default: 1)
      builder.add(slot: 6, Int32(dilationH), default: 1)
    case .fullyConnected(let activation):
      builder.add(slot: 0, activation.rawValue, default: 0)
    case .pool2D(let padding, let strideH, let strideW, let filterH, let filterW, let activation):
      builder.add(slot: 0, padding.rawValue, default: 0)
      builder.add(slot: 1, Int32(strideW), default: 0)
      builder.add(slot: 2, Int32(strideH), default: 0)
      builder.add(slot: 3, Int32(filterW), default: 0)
      builder.add(slot: 4, Int32(filterH), default: 0)
      builder.add(slot: 5, activation.rawValue, default: 0)
    case .add(let activation), .sub(let activation):
      builder.add(slot: 0, activation.rawValue, default: 0)
      // int16 ADD/SUB take the general rescaling path only when power-of-two scaling is turned off.
      builder.add(slot: 1, false, default: true)
    case .mul(let activation):
      builder.add(slot: 0, activation.rawValue, default: 0)
    case .softmax(let beta):
      builder.add(slot: 0, beta, default: 0)
    case .concatenation(let axis, let activation):
      builder.add(slot: 0, Int32(axis), default: 0)
      builder.add(slot: 1, activation.rawValue, default: 0)
    case .reshape:
      if let newShape { builder.add(slot: 0, newShape) }
    case .reducer(let keepDims):
      builder.add(slot: 0, keepDims, default: false)
    }
    return builder.endTable()
  }
}
