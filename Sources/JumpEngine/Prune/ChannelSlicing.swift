extension Tensor {
  /// The tensor with only the kept channels along `axis`, where channel `c` covers the `inner` consecutive
  /// indices `c·inner ..< (c+1)·inner` of that axis (`inner` > 1 for a Gemm reading a flattened C×H×W).
  func keepingChannels(_ kept: [Int], axis: Int, inner: Int = 1) -> Tensor {
    let values = asFloats()
    let outer = shape[..<axis].reduce(1, *)
    let axisLength = shape[axis]
    let after = shape[(axis + 1)...].reduce(1, *)
    let block = inner * after
    var result: [Float] = []
    result.reserveCapacity(outer * kept.count * block)
    values.withUnsafeBufferPointer { source in
      for o in 0..<outer {
        let base = o * axisLength * after
        for channel in kept {
          let start = base + channel * block
          result.append(contentsOf: source[start..<(start + block)])
        }
      }
    }
    var newShape = shape
    newShape[axis] = kept.count * inner
    return Tensor(shape: newShape, floats: result)
  }
}
