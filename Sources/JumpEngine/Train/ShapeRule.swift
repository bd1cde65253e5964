/// Forward and backward of the data-movement ops that are not plain views: Transpose and Concat.
///
/// Flatten, Reshape, Squeeze and Unsqueeze keep the elements in order, so their gradient is the output
/// gradient under the input's shape (handled in `NodeBackward`).
enum ShapeRule {
  /// The permutation of a Transpose (nil: reversed axes).
  static func permutation(_ perm: [Int]?, _ x: TrainValue) -> [Int] {
    perm ?? Array((0..<x.shape.count).reversed())
  }

  /// `x` with axes permuted: output axis `i` is input axis `perm[i]`.
  static func transpose(_ x: TrainValue, perm: [Int]) -> TrainValue {
    var y = TrainValue.zeros(perm.map { x.shape[$0] })
    let plan = TransposePlan(shape: x.shape, perm: perm)
    x.values.withPointer { source in
      y.values.withMutablePointer { Kernels.transpose(plan, input: source, output: $0) }
    }
    return y
  }

  /// The inputs joined along `axis`.
  static func concat(_ inputs: [TrainValue], axis: Int, _ outputShape: [Int]) -> TrainValue {
    let a = axis < 0 ? axis + outputShape.count : axis
    let outer = outputShape[..<a].reduce(1, *)
    let row = outputShape[a...].reduce(1, *)
    var y = TrainValue.zeros(outputShape)
    var offset = 0
    for input in inputs {
      let chunk = input.shape[a...].reduce(1, *)
      input.values.withPointer { source in
        y.values.withMutablePointer { destination in
          for o in 0..<outer { Kernels.copy(source + o * chunk, destination + o * row + offset, chunk) }
        }
      }
      offset += chunk
    }
    return y
  }

  /// Concat's backward: the output gradient cut back into the inputs' pieces.
  static func split(_ context: BackwardContext, axis: Int) -> [TrainValue?] {
    let shape = context.output.shape
    let a = axis < 0 ? axis + shape.count : axis
    let outer = shape[..<a].reduce(1, *)
    let row = shape[a...].reduce(1, *)
    var offset = 0
    var result: [TrainValue?] = []
    for (index, input) in context.inputs.enumerated() {
      let chunk = input.shape[a...].reduce(1, *)
      defer { offset += chunk }
      guard context.needs(index) else {
        result.append(nil)
        continue
      }
      var dx = TrainValue.zeros(input.shape)
      context.outputGradient.values.withPointer { source in
        dx.values.withMutablePointer { destination in
          for o in 0..<outer { Kernels.copy(source + o * row + offset, destination + o * chunk, chunk) }
        }
      }
      result.append(dx)
    }
    return result
  }
}
