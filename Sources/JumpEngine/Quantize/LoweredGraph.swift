/// A float model rewritten into TFLite's op set, still entirely in float32: the input to quantization.
///
/// Lowering does every rewrite that does not depend on the data: BatchNormalization folded into the
/// preceding convolution or fully connected layer, Relu / Relu6 / Clip fused into the op that produces their
/// input, Gemm and MatMul as FULLY_CONNECTED, HardSigmoid as MUL / ADD+RELU6 / MUL, Div by a constant as MUL,
/// Flatten / Reshape / Squeeze / Unsqueeze as RESHAPE, GlobalAveragePool and spatial ReduceMean as MEAN. It
/// computes the same function as the model (`SimulationExecutor` runs it with the float kernels), so any
/// difference after quantization is quantization error, not a lowering bug.
///
/// Tensors keep the float model's value names wherever the value survives (a fused conv's output takes the
/// name of its Relu's output), so calibration ranges recorded on the float model apply directly. Tensors
/// lowering creates are listed in `derivedTensors`; their ranges follow from their inputs' (see `Quantizer`).
public struct LoweredGraph: Sendable, Equatable {
  /// The lowered graph; every tensor is float32 and unquantized.
  public var graph: QuantizedGraph
  /// Activation tensors that do not exist in the float model (internal steps of HardSigmoid, a standalone
  /// BatchNormalization's MUL), so calibration on the float model has no range for them.
  public var derivedTensors: Set<String>
  /// The float nodes kept as they were because `skip` named them.
  public var skippedNodes: [String]

  /// Creates a lowered graph from its parts (lowering builds it with `Lowering.lower`).
  public init(graph: QuantizedGraph, derivedTensors: Set<String> = [], skippedNodes: [String] = []) {
    self.graph = graph
    self.derivedTensors = derivedTensors
    self.skippedNodes = skippedNodes
  }

  /// The activation tensors quantization needs a range for: inputs and every node output.
  public var activationTensors: [String] {
    graph.orderedTensorNames.filter { graph.tensors[$0]?.isConstant == false }
  }
}

/// Which nodes a pass leaves alone: node names, or op types in ONNX (`Conv`) or TFLite (`CONV_2D`) spelling.
///
/// Op types match case-insensitively so `skip=["hardswish"]` works; node names match exactly.
public struct SkipList: Sendable, Hashable, ExpressibleByArrayLiteral {
  /// The names and op types as given.
  public var entries: [String]

  /// Creates a skip list.
  public init(_ entries: [String]) { self.entries = entries }

  /// Creates a skip list from a literal.
  public init(arrayLiteral elements: String...) { self.init(elements) }

  /// True when nothing is skipped.
  public var isEmpty: Bool { entries.isEmpty }

  /// True when `node` of the float graph is named, or its ONNX op type is.
  public func matches(_ node: Node) -> Bool {
    entries.contains { $0 == node.name || $0.lowercased() == node.op.onnxName.lowercased() }
  }

  /// True when a lowered node, one of its float sources, or its TFLite or source op type is named.
  public func matches(_ node: QuantizedNode) -> Bool {
    entries.contains { entry in
      let lower = entry.lowercased()
      return entry == node.name || node.sources.contains(entry)
        || lower == node.op.tfliteName.lowercased() || node.sourceOps.contains { $0.lowercased() == lower }
    }
  }
}
