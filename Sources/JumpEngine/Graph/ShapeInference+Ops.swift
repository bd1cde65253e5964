extension ShapeInference.Context {
  typealias Result = (shape: [Dim], dtype: DType)

  /// BatchNormalization: X is N x C x ..., every parameter is a vector of C.
  func batchNorm() throws(EngineError) -> Result {
    let x = try input(0)
    guard x.shape.count >= 2 else {
      throw error("input must have rank >= 2, got \(ValueInfo.format(x.shape))")
    }
    for i in 1...4 {
      let p = try input(i, rank: 1)
      try expectEqual(p.shape[0], x.shape[1], "parameter '\(p.name)' length differs from the channel count")
    }
    return (x.shape, x.dtype)
  }

  /// Conv: X is N x C x spatial, W is M x C/group x kernel, optional B is M.
  func conv(_ a: ConvAttributes) throws(EngineError) -> Result {
    let x = try input(0)
    let spatial = x.shape.count - 2
    guard spatial >= 1 else { throw error("input must be N x C x spatial, got \(ValueInfo.format(x.shape))") }
    let w = try input(1, rank: spatial + 2)
    guard let wShape = w.fixedShape else { throw error("weight '\(w.name)' must have a fixed shape") }
    guard a.group >= 1, wShape[0] % a.group == 0 else {
      throw error("output channels \(wShape[0]) are not divisible by group \(a.group)")
    }
    try expectEqual(
      x.shape[1], .fixed(wShape[1] * a.group), "input channels differ from weight channels x group")
    guard Array(wShape[2...]) == a.kernel else {
      throw error("kernel_shape \(a.kernel) differs from weight shape \(wShape)")
    }
    try checkWindow(a.kernel, a.strides, a.pads, a.dilations)
    if inputs.count > 2 {
      let b = try input(2, rank: 1)
      try expectEqual(b.shape[0], .fixed(wShape[0]), "bias length differs from output channels")
    }
    var out: [Dim] = [x.shape[0], .fixed(wShape[0])]
    for i in 0..<spatial {
      out.append(
        try window(
          x.shape[i + 2], a.kernel[i], a.strides[i], a.dilations[i], a.pads[i], a.pads[i + spatial], false))
    }
    return (out, x.dtype)
  }

  /// MaxPool / AveragePool over the spatial axes of N x C x spatial.
  func pool(_ a: PoolAttributes) throws(EngineError) -> Result {
    let x = try input(0)
    let spatial = x.shape.count - 2
    guard spatial >= 1, a.kernel.count == spatial else {
      throw error("kernel_shape \(a.kernel) does not match input \(ValueInfo.format(x.shape))")
    }
    try checkWindow(a.kernel, a.strides, a.pads, a.dilations)
    var out = Array(x.shape.prefix(2))
    for i in 0..<spatial {
      out.append(
        try window(
          x.shape[i + 2], a.kernel[i], a.strides[i], a.dilations[i], a.pads[i], a.pads[i + spatial],
          a.ceilMode)
      )
    }
    return (out, x.dtype)
  }

  /// Checks the lengths and signs of window attributes.
  func checkWindow(_ kernel: [Int], _ strides: [Int], _ pads: [Int], _ dilations: [Int]) throws(EngineError) {
    let n = kernel.count
    guard strides.count == n, dilations.count == n, pads.count == 2 * n else {
      throw error("strides, pads or dilations do not match a \(n)-d kernel")
    }
    guard kernel.allSatisfy({ $0 >= 1 }), strides.allSatisfy({ $0 >= 1 }), dilations.allSatisfy({ $0 >= 1 }),
      pads.allSatisfy({ $0 >= 0 })
    else { throw error("kernel, strides and dilations must be positive and pads non-negative") }
  }

  /// The output size of one spatial axis; a symbolic input size stays symbolic.
  func window(
    _ size: Dim, _ kernel: Int, _ stride: Int, _ dilation: Int, _ begin: Int, _ end: Int, _ ceil: Bool
  ) throws(EngineError) -> Dim {
    guard let n = size.value else {
      throw error("spatial dimension '\(size)' must be fixed")
    }
    let out = slidingOutputSize(
      input: n, kernel: kernel, stride: stride, dilation: dilation, padBegin: begin, padEnd: end,
      ceilMode: ceil)
    guard out >= 1 else {
      throw error("window of \(kernel) (dilation \(dilation)) does not fit input size \(n)")
    }
    return .fixed(out)
  }

  /// Gemm: op(A) is M x K, op(B) is K x N, C broadcasts to M x N.
  func gemm(_ a: GemmAttributes) throws(EngineError) -> Result {
    let x = try input(0, rank: 2)
    let w = try input(1, rank: 2)
    let (m, k) = a.transA ? (x.shape[1], x.shape[0]) : (x.shape[0], x.shape[1])
    let (k2, n) = a.transB ? (w.shape[1], w.shape[0]) : (w.shape[0], w.shape[1])
    try expectEqual(
      k, k2, "inner dimensions of A \(ValueInfo.format(x.shape)) and B \(ValueInfo.format(w.shape)) differ")
    if inputs.count > 2 {
      let c = try input(2)
      guard c.shape.count <= 2, try broadcast([m, n], c.shape) == [m, n] else {
        throw error("C \(ValueInfo.format(c.shape)) does not broadcast to \(ValueInfo.format([m, n]))")
      }
    }
    return ([m, n], x.dtype)
  }

  /// MatMul with NumPy semantics (1-D operands promoted and squeezed, batch dimensions broadcast).
  func matMul() throws(EngineError) -> Result {
    let x = try input(0)
    let w = try input(1)
    guard !x.shape.isEmpty, !w.shape.isEmpty else { throw error("operands must have rank >= 1") }
    let a = x.shape.count == 1 ? [.fixed(1)] + x.shape : x.shape
    let b = w.shape.count == 1 ? w.shape + [.fixed(1)] : w.shape
    try expectEqual(
      a[a.count - 1], b[b.count - 2],
      "inner dimensions of \(ValueInfo.format(x.shape)) and \(ValueInfo.format(w.shape)) differ")
    var out = try broadcast(Array(a.dropLast(2)), Array(b.dropLast(2)))
    if x.shape.count > 1 { out.append(a[a.count - 2]) }
    if w.shape.count > 1 { out.append(b[b.count - 1]) }
    return (out, x.dtype)
  }

  /// ReduceMean over `axes` (nil: every axis).
  func reduceMean(axes: [Int]?, keepDims: Bool) throws(EngineError) -> Result {
    let x = try input(0)
    let rank = x.shape.count
    var reduced = Set<Int>()
    for axis in axes ?? Array(0..<rank) { reduced.insert(try normalize(axis: axis, rank: rank)) }
    var out: [Dim] = []
    for (i, d) in x.shape.enumerated() {
      if !reduced.contains(i) {
        out.append(d)
      } else if keepDims {
        out.append(.fixed(1))
      }
    }
    return (out, x.dtype)
  }

  /// Flatten to [prod(dims before axis), prod(dims from axis)].
  func flatten(axis: Int) throws(EngineError) -> Result {
    let x = try input(0)
    let rank = x.shape.count
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a <= rank else { throw error("axis \(axis) is out of range for rank \(rank)") }
    return ([DimProduct(x.shape.prefix(a)).dim, DimProduct(x.shape.suffix(from: a)).dim], x.dtype)
  }

  /// Reshape with ONNX semantics: `0` copies the input dimension (unless allowzero), one `-1` is inferred.
  func reshape(_ target: [Int], allowZero: Bool) throws(EngineError) -> Result {
    let x = try input(0)
    var out: [Dim?] = []
    var inferred: Int? = nil
    for (i, v) in target.enumerated() {
      if v == -1 {
        guard inferred == nil else { throw error("shape \(target) has more than one -1") }
        inferred = i
        out.append(nil)
      } else if v == 0 && !allowZero {
        guard i < x.shape.count else { throw error("shape \(target) copies dimension \(i) the input lacks") }
        out.append(x.shape[i])
      } else if v >= 0 {
        out.append(.fixed(v))
      } else {
        throw error("shape \(target) has a negative dimension")
      }
    }
    let total = DimProduct(x.shape)
    let known = DimProduct(out.compactMap { $0 })
    if let index = inferred {
      guard let rest = total.dividing(by: known) else {
        throw error("cannot reshape \(ValueInfo.format(x.shape)) to \(target)")
      }
      out[index] = rest.dim
    } else if total.symbols.isEmpty && known.symbols.isEmpty && total.fixed != known.fixed {
      throw error("cannot reshape \(ValueInfo.format(x.shape)) (\(total.fixed) elements) to \(target)")
    }
    return (out.map { $0 ?? .fixed(1) }, x.dtype)
  }

  /// Squeeze the given size-1 axes (nil: every fixed size-1 axis).
  func squeeze(_ axes: [Int]?) throws(EngineError) -> Result {
    let x = try input(0)
    guard let axes else { return (x.shape.filter { $0 != .fixed(1) }, x.dtype) }
    var removed = Set<Int>()
    for axis in axes {
      let a = try normalize(axis: axis, rank: x.shape.count)
      if let v = x.shape[a].value, v != 1 { throw error("cannot squeeze axis \(axis) of size \(v)") }
      removed.insert(a)
    }
    return (x.shape.enumerated().filter { !removed.contains($0.offset) }.map(\.element), x.dtype)
  }

  /// Unsqueeze: insert size-1 axes at positions of the output.
  func unsqueeze(_ axes: [Int]) throws(EngineError) -> Result {
    let x = try input(0)
    let rank = x.shape.count + axes.count
    var inserted = Set<Int>()
    for axis in axes {
      let a = try normalize(axis: axis, rank: rank)
      guard inserted.insert(a).inserted else { throw error("axis \(axis) repeated") }
    }
    var out: [Dim] = []
    var source = x.shape.makeIterator()
    for i in 0..<rank {
      if inserted.contains(i) {
        out.append(.fixed(1))
      } else if let d = source.next() {
        out.append(d)
      }
    }
    return (out, x.dtype)
  }

  /// Concat along `axis`; the other dimensions must agree.
  func concat(axis: Int) throws(EngineError) -> Result {
    let first = try input(0)
    let rank = first.shape.count
    let a = try normalize(axis: axis, rank: rank)
    var parts: [Dim] = []
    for value in inputs {
      guard value.shape.count == rank else { throw error("inputs have different ranks") }
      for i in 0..<rank where i != a {
        try expectEqual(value.shape[i], first.shape[i], "inputs differ in dimension \(i)")
      }
      parts.append(value.shape[a])
    }
    var out = first.shape
    if parts.allSatisfy({ $0.value != nil }) {
      out[a] = .fixed(parts.compactMap(\.value).reduce(0, +))
    } else {
      out[a] = .symbolic(parts.map(\.description).joined(separator: "+"))
    }
    return (out, first.dtype)
  }

  /// Transpose by `perm` (nil: reverse).
  func transpose(_ perm: [Int]?) throws(EngineError) -> Result {
    let x = try input(0)
    let p = perm ?? Array((0..<x.shape.count).reversed())
    guard p.sorted() == Array(0..<x.shape.count) else {
      throw error("perm \(p) is not a permutation of the input's \(x.shape.count) axes")
    }
    return (p.map { x.shape[$0] }, x.dtype)
  }
}
