import ONNXProto

/// Ops that are evaluated at load time when their inputs are known.
let foldableONNXOps: Set<String> = [
  "Shape", "Gather", "Slice", "Cast", "Concat", "Unsqueeze", "Squeeze", "Reshape", "Add", "Sub", "Mul", "Div",
]

extension ONNXImportBuilder {
  /// Evaluates a shape-subgraph node whose inputs are known; returns nil when some input is a runtime value.
  ///
  /// Throws when the inputs are known but the node is invalid (an index out of range, ...) or when a symbolic
  /// dimension cannot be carried through the arithmetic.
  func fold(
    _ proto: Onnx_NodeProto, _ a: ONNXAttributes, inputs: [String]
  ) throws(EngineError) -> FoldedValue? {
    if proto.opType == "Shape" {
      guard let info = infos[inputs.first ?? ""] else { return nil }
      let dims = info.shape.map { d -> FoldedValue.Element in
        switch d {
        case .fixed(let v): return .int(Int64(v))
        case .symbolic(let s): return .symbol(s)
        }
      }
      let rank = dims.count
      func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + rank : v, 0), rank) }
      let start = clamp(a.int("start", default: 0))
      let end = clamp(a.int("end", default: rank))
      let slice = start < end ? Array(dims[start..<end]) : []
      return FoldedValue(shape: [slice.count], dtype: .int64, elements: slice)
    }
    var values: [FoldedValue?] = []
    for input in inputs {
      if input.isEmpty {
        values.append(nil)
        continue
      }
      guard let v = known(input) else { return nil }
      values.append(v)
    }
    guard let data = values.first ?? nil else { return nil }
    func intsInput(_ i: Int) throws(EngineError) -> [Int]? {
      guard i < values.count, let v = values[i] else { return nil }
      guard let ints = v.ints else { throw a.error("input \(i) must be known integers") }
      return ints
    }
    switch proto.opType {
    case "Gather":
      guard let indices = values.count > 1 ? values[1] : nil, let idx = indices.ints else {
        throw a.error("indices must be known integers")
      }
      return try gather(data, indices: idx, indexShape: indices.shape, axis: a.int("axis", default: 0), a)
    case "Slice":
      let starts: [Int]
      let ends: [Int]
      var axes: [Int]?
      var steps: [Int]?
      if opset < 10 {
        starts = a.ints("starts") ?? []
        ends = a.ints("ends") ?? []
        axes = a.ints("axes")
      } else {
        starts = try intsInput(1) ?? []
        ends = try intsInput(2) ?? []
        axes = try intsInput(3)
        steps = try intsInput(4)
      }
      return try slice(data, starts: starts, ends: ends, axes: axes, steps: steps, a)
    case "Cast":
      let code = Int32(clamping: a.int("to", default: 1))
      guard let target = ONNXTensorConversion.dtype(onnxCode: code) else {
        throw EngineError(
          .unsupportedOp,
          "node '\(a.nodeName)': Cast to \(ONNXTensorConversion.onnxTypeName(code)) is not supported")
      }
      guard let cast = data.cast(to: target) else {
        throw a.error("cannot cast a symbolic dimension to \(target)")
      }
      return cast
    case "Concat":
      return try concat(values.compactMap { $0 }, axis: try a.requiredInt("axis"), a)
    case "Unsqueeze", "Squeeze":
      var axes = a.ints("axes")
      if opset >= 13 { axes = try intsInput(1) }
      let info = ValueInfo(name: inputs[0], fixedShape: data.shape, dtype: data.dtype)
      let op: Op = proto.opType == "Squeeze" ? .squeeze(axes: axes) : .unsqueeze(axes: axes ?? [])
      let node = Node(name: a.nodeName, op: op, inputs: [inputs[0]], outputs: ["out"])
      let out = try ShapeInference.infer(node, inputs: [info], constants: [:])
      return FoldedValue(shape: out[0].concreteShape(), dtype: data.dtype, elements: data.elements)
    case "Reshape":
      guard let target = try intsInput(1) else { return nil }
      let info = ValueInfo(name: inputs[0], fixedShape: data.shape, dtype: data.dtype)
      let op = Op.reshape(shape: target, allowZero: a.int("allowzero", default: 0) != 0)
      let node = Node(name: a.nodeName, op: op, inputs: [inputs[0]], outputs: ["out"])
      let out = try ShapeInference.infer(node, inputs: [info], constants: [:])
      return FoldedValue(shape: out[0].concreteShape(), dtype: data.dtype, elements: data.elements)
    default:  // Add, Sub, Mul, Div
      guard values.count == 2, let rhs = values[1] else { throw a.error("expects two inputs") }
      guard let result = FoldedValue.binary(proto.opType, data, rhs) else {
        throw EngineError(
          .unsupportedOp,
          "node '\(a.nodeName)': cannot evaluate \(proto.opType) on symbolic dimensions or incompatible shapes \(data.shape) and \(rhs.shape) (opset \(opset))"
        )
      }
      return result
    }
  }

  private func gather(
    _ data: FoldedValue, indices: [Int], indexShape: [Int], axis: Int, _ a: ONNXAttributes
  ) throws(EngineError) -> FoldedValue {
    let rank = data.shape.count
    let ax = axis < 0 ? axis + rank : axis
    guard ax >= 0 && ax < rank else { throw a.error("axis \(axis) out of range for rank \(rank)") }
    let n = data.shape[ax]
    let outer = data.shape[..<ax].reduce(1, *)
    let inner = data.shape[(ax + 1)...].reduce(1, *)
    var picks: [Int] = []
    for o in 0..<outer {
      for raw in indices {
        let i = raw < 0 ? raw + n : raw
        guard i >= 0 && i < n else { throw a.error("index \(raw) out of range for dimension \(n)") }
        for j in 0..<inner { picks.append((o * n + i) * inner + j) }
      }
    }
    let shape = Array(data.shape[..<ax]) + indexShape + Array(data.shape[(ax + 1)...])
    return data.selecting(picks, shape: shape)
  }

  private func slice(
    _ data: FoldedValue, starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?, _ a: ONNXAttributes
  ) throws(EngineError) -> FoldedValue {
    let rank = data.shape.count
    let axisList = axes ?? Array(0..<starts.count)
    let stepList = steps ?? Array(repeating: 1, count: starts.count)
    guard starts.count == ends.count, axisList.count == starts.count, stepList.count == starts.count else {
      throw a.error("starts, ends, axes and steps have different lengths")
    }
    var ranges = data.shape.map { (start: 0, step: 1, count: $0) }
    for (k, rawAxis) in axisList.enumerated() {
      let ax = rawAxis < 0 ? rawAxis + rank : rawAxis
      guard ax >= 0 && ax < rank else { throw a.error("axis \(rawAxis) out of range for rank \(rank)") }
      let dim = data.shape[ax]
      let step = stepList[k]
      guard step != 0 else { throw a.error("step must not be 0") }
      var start = starts[k] < 0 ? starts[k] + dim : starts[k]
      var end = ends[k] < 0 ? ends[k] + dim : ends[k]
      if step > 0 {
        start = min(max(start, 0), dim)
        end = min(max(end, 0), dim)
      } else {
        start = min(max(start, 0), dim - 1)
        end = min(max(end, -1), dim - 1)
      }
      let count =
        step > 0 ? max(0, (end - start + step - 1) / step) : max(0, (start - end - step - 1) / -step)
      ranges[ax] = (start, step, count)
    }
    var offsets = [0]
    for (d, r) in ranges.enumerated() {
      var next: [Int] = []
      for base in offsets {
        for j in 0..<r.count { next.append(base * data.shape[d] + r.start + j * r.step) }
      }
      offsets = next
    }
    return data.selecting(offsets, shape: ranges.map(\.count))
  }

  private func concat(
    _ parts: [FoldedValue], axis: Int, _ a: ONNXAttributes
  ) throws(EngineError) -> FoldedValue {
    guard let first = parts.first else { throw a.error("Concat needs at least one input") }
    let rank = first.shape.count
    let ax = axis < 0 ? axis + rank : axis
    guard ax >= 0 && ax < rank else { throw a.error("axis \(axis) out of range for rank \(rank)") }
    var shape = first.shape
    shape[ax] = 0
    for p in parts {
      var other = p.shape
      guard other.count == rank else { throw a.error("inputs have different ranks") }
      shape[ax] += other[ax]
      other[ax] = first.shape[ax]
      guard other == first.shape else {
        throw a.error("inputs \(first.shape) and \(p.shape) do not concatenate")
      }
    }
    let outer = first.shape[..<ax].reduce(1, *)
    var elements: [FoldedValue.Element] = []
    for o in 0..<outer {
      for p in parts {
        let block = p.shape[ax...].reduce(1, *)
        elements.append(contentsOf: p.elements[(o * block)..<((o + 1) * block)])
      }
    }
    return FoldedValue(shape: shape, dtype: first.dtype, elements: elements)
  }
}
