/// What the executor makes once per node beyond the kernel's parameters, so that a pass does no set-up.
enum IntegerNodePreparation {
  /// Nothing.
  case none
  /// CONV_2D or FULLY_CONNECTED weights packed for the exact float GEMM of `IntegerKernels.convolve`.
  case weights(PackedConvolutionWeights)
  /// An element-wise int8 op (HARD_SWISH, LOGISTIC, ADD, SUB, MUL) tabulated over its inputs.
  case table(Int8LookupTable)
}

extension IntegerExecutor {
  /// The preparation of every node, by node index. Depthwise filters are read as they are; two-operand
  /// tables (64 KB) are made only for ops with at least `pairTableElements` outputs per pass.
  static func preparations(
    _ graph: QuantizedGraph, kernels: [IntegerNodeKernel], constants: IntegerConstants,
    shapes: [String: [Int]]
  ) -> [IntegerNodePreparation] {
    zip(graph.nodes, kernels).map { node, kernel in
      let outputs = node.outputs.first.flatMap { shapes[$0] }?.reduce(1, *) ?? 0
      // Tables are for int8 operands only.
      let narrow = node.outputs.first.flatMap { graph.tensors[$0]?.elementType } == .int8
      switch kernel {
      case .conv(let q, depthwise: false), .fullyConnected(let q):
        return packed(
          node, graph, constants, largestSlice: Int8.largestSlice(zeroPoint: q.inputZeroPoint),
          int8InputZeroPoint: q.inputZeroPoint)
      case .conv16x8(_, depthwise: false), .fullyConnected16x8:
        return packed(node, graph, constants, largestSlice: Int16.largestSlice(zeroPoint: 0))
      case .hardSwish(let parameters):
        return .table(Int8LookupTable(parameters.apply))
      case .logistic(let parameters):
        return .table(Int8LookupTable(parameters.apply))
      case .add(let parameters) where narrow && outputs >= pairTableElements:
        return .table(Int8LookupTable(parameters.apply))
      case .mul(let parameters) where narrow && outputs >= pairTableElements:
        return .table(Int8LookupTable(parameters.apply))
      default:
        return .none
      }
    }
  }

  /// The output count from which a two-operand table pays for the 65,536 evaluations that make it.
  static let pairTableElements = 1 << 14

  /// The filter of `node` packed for the GEMM.
  private static func packed(
    _ node: QuantizedNode, _ graph: QuantizedGraph, _ constants: IntegerConstants, largestSlice: Int,
    int8InputZeroPoint: Int32? = nil
  ) -> IntegerNodePreparation {
    guard node.inputs.count > 1, let filter = graph.tensors[node.inputs[1]],
      let weight = constants.int8[node.inputs[1]], let rows = filter.shape.first
    else { return .none }
    return .weights(
      PackedConvolutionWeights(
        weight, rows: rows, depth: filter.shape.dropFirst().reduce(1, *), largestSlice: largestSlice,
        int8InputZeroPoint: int8InputZeroPoint))
  }

  /// The workspace bytes of a convolution node with `Element` activations.
  static func workspaceBytes<Element: ConvolutionActivation>(
    _ g: ConvGeometry, _: Element.Type, _ depthwise: Bool, threads: Int
  ) -> Int {
    depthwise
      ? IntegerKernels.depthwiseWorkspaceBytes(g, Element.self, threads: threads)
      : IntegerKernels.convolutionWorkspaceBytes(g, Element.self)
  }
}
