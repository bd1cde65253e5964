/// One node ready to run: its kernel with every size and pointer resolved at build time.
struct ExecutionStep {
  /// The node's name (for messages).
  let name: String
  /// The values this step produces (one per node output).
  let outputs: [String]
  /// What to compute.
  let kernel: StepKernel

  /// Runs the kernel with `threads` threads.
  func run(threads: Int) {
    switch kernel {
    case .conv(let g, let x, let w, let b, let y, let activation, let scratch, let winogradFilters):
      Kernels.conv2d(
        g, input: x, weight: w, bias: b, output: y, activation: activation, scratch: scratch,
        threads: threads,
        winogradFilters: winogradFilters)
    case .depthwise(let g, let x, let w, let b, let y, let activation, let scratch):
      Kernels.depthwiseConv2d(
        g, input: x, weight: w, bias: b, output: y, activation: activation, scratch: scratch, threads: threads
      )
    case .gemm(let attributes, let m, let n, let k, let a, let b, let c, let cShape, let y):
      Kernels.gemm(
        attributes, m: m, n: n, k: k, a: a, b: b, c: c, cShape: cShape, output: y, threads: threads)
    case .matMul(let a, let aShape, let b, let bShape, let y):
      Kernels.matMul(a: a, aShape: aShape, b: b, bShape: bShape, output: y, threads: threads)
    case .affine(let x, let batch, let channels, let plane, let scale, let shift, let y):
      Kernels.channelAffine(
        x, batch: batch, channels: channels, plane: plane, scale: scale, shift: shift, output: y,
        threads: threads)
    case .activation(let activation, let x, let y, let count):
      Kernels.activate(activation, x, y, count: count, threads: threads)
    case .binary(let op, let plan, let a, let b, let y):
      Kernels.binary(op, plan, a: a, b: b, output: y, threads: threads)
    case .maxPool(let g, let x, let y):
      Kernels.maxPool2d(g, input: x, output: y, threads: threads)
    case .averagePool(let g, let countIncludePad, let x, let y):
      Kernels.averagePool2d(g, countIncludePad: countIncludePad, input: x, output: y, threads: threads)
    case .mean(let x, let outer, let reduced, let inner, let y):
      if inner == 1 {
        Kernels.rowMeans(x, rows: outer, length: reduced, output: y, threads: threads)
      } else {
        Kernels.meanMiddle(x, outer: outer, reduced: reduced, inner: inner, output: y)
      }
    case .reduceMean(let x, let shape, let axes, let y):
      Kernels.reduceMean(x, shape: shape, reducedAxes: axes, output: y)
    case .softmax(let x, let outer, let axis, let inner, let y):
      Kernels.softmax(x, outer: outer, axis: axis, inner: inner, output: y, threads: threads)
    case .transpose(let plan, let x, let y):
      Kernels.transpose(plan, input: x, output: y)
    case .concat(let inputs, let chunks, let outer, let y):
      Kernels.concat(inputs, chunks: chunks, outer: outer, output: y)
    case .copy(let x, let y, let count):
      if UnsafeMutablePointer(mutating: x) != y { Kernels.copy(x, y, count) }
    case .view:
      break
    }
  }
}

/// The kernel of an `ExecutionStep` with its operands (inputs first, then the output).
enum StepKernel {
  /// im2col + SGEMM convolution: geometry, input, weight, bias, output, fused activation, scratch, and the
  /// Winograd transform of a constant weight when the convolution runs as Winograd.
  case conv(
    ConvGeometry, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?,
    UnsafeMutablePointer<Float>,
    Activation, UnsafeMutablePointer<Float>?, UnsafePointer<Float>?)
  /// Direct depthwise convolution: geometry, input, weight, bias, output, fused activation, scratch.
  case depthwise(
    ConvGeometry, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?,
    UnsafeMutablePointer<Float>,
    Activation, UnsafeMutablePointer<Float>)
  /// ONNX Gemm: attributes, m, n, k, A, B, C, C's shape, output.
  case gemm(
    GemmAttributes, Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?, [Int],
    UnsafeMutablePointer<Float>)
  /// NumPy matmul: A, A's shape, B, B's shape, output.
  case matMul(UnsafePointer<Float>, [Int], UnsafePointer<Float>, [Int], UnsafeMutablePointer<Float>)
  /// Per-channel `x * scale + shift` (batch normalization): input, N, C, plane, scale, shift, output.
  case affine(
    UnsafePointer<Float>, Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>,
    UnsafeMutablePointer<Float>)
  /// Elementwise activation: input, output, count.
  case activation(Activation, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int)
  /// Broadcasting arithmetic: a, b, output.
  case binary(
    BinaryOperator, BroadcastPlan, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>)
  /// Max pooling: geometry, input, output.
  case maxPool(ConvGeometry, UnsafePointer<Float>, UnsafeMutablePointer<Float>)
  /// Average pooling: geometry, count_include_pad, input, output.
  case averagePool(ConvGeometry, Bool, UnsafePointer<Float>, UnsafeMutablePointer<Float>)
  /// Mean over the middle of `outer x reduced x inner`: input, outer, reduced, inner, output.
  case mean(UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>)
  /// Mean over arbitrary axes: input, input shape, reduced axes, output.
  case reduceMean(UnsafePointer<Float>, [Int], [Bool], UnsafeMutablePointer<Float>)
  /// Softmax over the middle of `outer x axis x inner`: input, outer, axis, inner, output.
  case softmax(UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>)
  /// Axis permutation: plan, input, output.
  case transpose(TransposePlan, UnsafePointer<Float>, UnsafeMutablePointer<Float>)
  /// Concatenation: inputs, floats per block of each input, block count, output.
  case concat([UnsafePointer<Float>], [Int], Int, UnsafeMutablePointer<Float>)
  /// A plain copy (a reshape of a constant into the arena): input, output, count.
  case copy(UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int)
  /// Nothing to do: the output shares the input's memory.
  case view
}
