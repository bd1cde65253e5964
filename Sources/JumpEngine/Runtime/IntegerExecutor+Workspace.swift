extension IntegerExecutor {
  /// The weights of every CONV_2D and FULLY_CONNECTED packed once for the GEMM of
  /// `IntegerKernels.convolve`, by node index; nil for other nodes (depthwise filters are read as they are).
  static func packedWeights(
    _ graph: QuantizedGraph, kernels: [IntegerNodeKernel], constants: IntegerConstants
  ) -> [PackedConvolutionWeights?] {
    zip(graph.nodes, kernels).map { node, kernel in
      let largestSlice: Int
      switch kernel {
      case .conv(let q, depthwise: false), .fullyConnected(let q):
        largestSlice = Int8.largestSlice(zeroPoint: q.inputZeroPoint)
      case .conv16x8(_, depthwise: false), .fullyConnected16x8:
        largestSlice = Int16.largestSlice(zeroPoint: 0)
      default:
        return nil
      }
      guard node.inputs.count > 1, let filter = graph.tensors[node.inputs[1]],
        let weight = constants.int8[node.inputs[1]], let rows = filter.shape.first
      else { return nil }
      return PackedConvolutionWeights(
        weight, rows: rows, depth: filter.shape.dropFirst().reduce(1, *), largestSlice: largestSlice)
    }
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
