import CKernels

extension IntegerKernels {
  /// The bytes of workspace `convolve` needs for `g` with `Element` activations.
  static func convolutionWorkspaceBytes<Element: ConvolutionActivation>(
    _ g: ConvGeometry, _: Element.Type
  ) -> Int {
    let layout = ConvolutionWorkspace<Element>.Layout(g)
    return layout.bytes
  }

  /// TFLite's CONV_2D (`ConvPerChannel`, int8 or 16x8) and, as a 1 x 1 convolution of a `batch x depth x 1 x
  /// 1` input, FULLY_CONNECTED, on NCHW data.
  ///
  /// `input` is `N x C_in x H x W`, `weights` the packed `C_out x C_in/group x kh x kw` filter, `bias` one
  /// accumulator per output channel (or nil), `output` `N x C_out x OH x OW`. Strides, explicit (possibly
  /// asymmetric) pads, dilations and groups come from `g`.
  ///
  /// Each group of a block of samples is an im2col matrix of `input - zeroPoint` slices (padding is 0, as
  /// TFLite's omitted taps contribute nothing) multiplied by the weights in float, exactly (see
  /// `PackedConvolutionWeights`), chunk by chunk into integer accumulators, or, where the weights carry
  /// `Int8DotWeights`, by the int8 dot-product GEMM in one exact int32 product; then requantized per
  /// channel.
  /// `workspace` holds `convolutionWorkspaceBytes(g, Element.self)` bytes. Requantization splits output
  /// channels across `threads` workers; the result depends on neither that split nor BLAS's threads.
  @_specialize(where Element == Int8)
  @_specialize(where Element == Int16)
  static func convolve<Element: ConvolutionActivation>(
    _ g: ConvGeometry, input: UnsafePointer<Element>, weights: PackedConvolutionWeights,
    bias: UnsafePointer<Element.Accumulator>?, output: UnsafeMutablePointer<Element>,
    quantization q: ConvolutionQuantization, workspace: UnsafeMutableRawPointer, threads: Int
  ) {
    let space = ConvolutionWorkspace<Element>(g, workspace)
    let block = space.layout.samplesPerBlock
    let rows = g.outPerGroup
    for first in stride(from: 0, to: g.batch, by: block) {
      let samples = min(block, g.batch - first)
      for group in 0..<g.group {
        if let dot = weights.dot, Element.self == Int8.self {
          multiplyInt8Dot(
            g, input: UnsafeRawPointer(input).assumingMemoryBound(to: Int8.self), dot, group: group,
            first: first, samples: samples, zeroPoint: q.inputZeroPoint,
            columns: UnsafeMutableRawPointer(space.columns).assumingMemoryBound(to: UInt8.self),
            scratch: UnsafeMutableRawPointer(space.product).assumingMemoryBound(to: UInt8.self),
            accumulators: UnsafeMutableRawPointer(space.accumulators).assumingMemoryBound(to: Int32.self))
        } else {
          multiplyExactFloat(
            g, input: input, weights, group: group, first: first, samples: samples,
            zeroPoint: q.inputZeroPoint, space)
        }
        requantizeRows(
          group * rows..<(group + 1) * rows, space.accumulators, wide: samples * g.outPlane, samples: samples,
          first: first, g, bias: bias, q, output: output, threads: threads)
      }
    }
  }

  /// The accumulators of one group for samples `first ..< first + samples` by the exact float GEMM
  /// (`PackedConvolutionWeights`): per activation slice, the im2col columns of every sample side by side,
  /// multiplied chunk by chunk, each chunk's exact integers added into the accumulators.
  ///
  /// One GEMM call at a time, on BLAS's own threads: OpenBLAS is not reliably safe for concurrent callers,
  /// nor for changes of its (process-wide) thread count while other threads are inside it, so neither is
  /// done here. The result does not depend on BLAS's thread count: every GEMM is exact.
  private static func multiplyExactFloat<Element: ConvolutionActivation>(
    _ g: ConvGeometry, input: UnsafePointer<Element>, _ weights: PackedConvolutionWeights, group: Int,
    first: Int, samples: Int, zeroPoint: Int32, _ space: ConvolutionWorkspace<Element>
  ) {
    let plane = g.outPlane
    let wide = samples * plane
    let rows = g.outPerGroup
    let depth = weights.depth
    weights.values.withUnsafeBufferPointer { packed in
      guard let packed = packed.baseAddress else { return }
      let groupWeights = packed + group * rows * depth
      for slice in 0..<Element.sliceCount {
        for s in 0..<samples {
          let source = input + ((first + s) * g.inChannels + group * g.inPerGroup) * g.inPlane
          fillColumns(g, source, slice: slice, zeroPoint: zeroPoint, space, wide: wide, at: s * plane)
        }
        for k in stride(from: 0, to: depth, by: weights.chunk) {
          Kernels.sgemm(
            transA: false, transB: false, m: rows, n: wide, k: min(weights.chunk, depth - k), alpha: 1,
            a: groupWeights + k, lda: depth, b: space.columns + k * wide, ldb: wide, beta: 0,
            c: space.product, ldc: wide)
          accumulate(
            space.product, into: space.accumulators, count: rows * wide, shift: 8 * slice,
            first: slice == 0 && k == 0)
        }
      }
    }
  }

  /// The int32 accumulators of one group for samples `first ..< first + samples` by the dot-product GEMM
  /// (`Int8DotWeights`): each sample's im2col written as unsigned bytes in the GEMM's layout, then one
  /// exact GEMM over every sample's columns, rows `outPerGroup`, columns `samples × outPlane`. `scratch`
  /// (the float GEMM's product region, unused here) holds the four im2col rows being interleaved.
  private static func multiplyInt8Dot(
    _ g: ConvGeometry, input: UnsafePointer<Int8>, _ dot: Int8DotWeights, group: Int, first: Int,
    samples: Int,
    zeroPoint: Int32, columns: UnsafeMutablePointer<UInt8>, scratch: UnsafeMutablePointer<UInt8>,
    accumulators: UnsafeMutablePointer<Int32>
  ) {
    let plane = g.outPlane
    let wide = samples * plane
    let rows = g.outPerGroup
    var geometry = g.im2colGeometry
    for s in 0..<samples {
      let source = input + ((first + s) * g.inChannels + group * g.inPerGroup) * g.inPlane
      jsk_int8_dot_columns(
        source, &geometry, Int8(truncatingIfNeeded: zeroPoint), columns, wide, s * plane, scratch)
    }
    dot.values.withUnsafeBufferPointer { values in
      dot.starts.withUnsafeBufferPointer { starts in
        guard let values = values.baseAddress, let starts = starts.baseAddress else { return }
        jsk_int8_dot_gemm(
          rows, wide, dot.depth4, values + group * rows * dot.depth4 * 4, columns, wide, accumulators, wide,
          starts + group * rows)
      }
    }
  }

  /// Requantizes the accumulators of output channels `channels` (rows of `acc`, one per channel, `samples`
  /// planes side by side) into their NCHW places; channels are split across `threads` workers.
  private static func requantizeRows<Element: ConvolutionActivation>(
    _ channels: Range<Int>, _ acc: UnsafeMutablePointer<Element.Accumulator>, wide: Int, samples: Int,
    first: Int, _ g: ConvGeometry, bias: UnsafePointer<Element.Accumulator>?, _ q: ConvolutionQuantization,
    output: UnsafeMutablePointer<Element>, threads: Int
  ) {
    let plane = g.outPlane
    let work = channels.count * wide
    Kernels.parallelRanges(channels.count, threads: work >= parallelWork ? threads : 1) { rows in
      for r in rows {
        let oc = channels.lowerBound + r
        for s in 0..<samples {
          Element.requantize(
            acc + r * wide + s * plane, plane, bias: bias?[oc] ?? 0, multiplier: q.multiplier(oc), q,
            output: output + ((first + s) * g.outChannels + oc) * plane)
        }
      }
    }
  }

  /// Writes one sample's im2col rows (slice `slice` of `input - zeroPoint`) at column `offset` of the
  /// `K x wide` column matrix. A pointwise convolution's planes are its columns.
  private static func fillColumns<Element: ConvolutionActivation>(
    _ g: ConvGeometry, _ source: UnsafePointer<Element>, slice: Int, zeroPoint: Int32,
    _ space: ConvolutionWorkspace<Element>, wide: Int, at offset: Int
  ) {
    if g.isPointwise {
      for c in 0..<g.inPerGroup {
        Element.slice(
          source + c * g.inPlane, count: g.inPlane, index: slice, zeroPoint: zeroPoint,
          into: space.columns + c * wide + offset)
      }
      return
    }
    Element.slice(
      source, count: g.inPerGroup * g.inPlane, index: slice, zeroPoint: zeroPoint, into: space.planes)
    Kernels.im2col(g, input: space.planes, columns: space.columns + offset, rowStride: wide)
  }

  /// Adds `count` float GEMM results, exact integers, to the accumulators (shifted to the slice's place
  /// value), or stores them when `first`.
  @inline(__always)
  private static func accumulate<Accumulator: FixedWidthInteger>(
    _ product: UnsafePointer<Float>, into acc: UnsafeMutablePointer<Accumulator>, count: Int, shift: Int,
    first: Bool
  ) {
    if first {
      for i in 0..<count { acc[i] = Accumulator(truncatingIfNeeded: exactInteger(product[i]) &<< shift) }
    } else {
      for i in 0..<count { acc[i] &+= Accumulator(truncatingIfNeeded: exactInteger(product[i]) &<< shift) }
    }
  }

  /// The integer a float holds exactly (magnitude below 2^51): adding 1.5 * 2^52 in double leaves the
  /// integer in the low mantissa bits. Unlike `Int64(_:)` it has no range check, so loops over it vectorize.
  @inline(__always)
  static func exactInteger(_ value: Float) -> Int64 {
    let magic: Double = 0x1.8p52
    return Int64(bitPattern: (Double(value) + magic).bitPattern) &- Int64(bitPattern: magic.bitPattern)
  }
}

/// The workspace of `IntegerKernels.convolve`, carved from one planned allocation: integer accumulators,
/// the float im2col columns, the float GEMM result, and one sample's float input planes.
struct ConvolutionWorkspace<Element: ConvolutionActivation> {
  /// Sizes, from the geometry alone, so the executor can plan the largest once.
  struct Layout {
    /// Samples whose columns share one GEMM: small output planes make per-sample GEMMs too narrow.
    var samplesPerBlock: Int
    /// Element counts of the four regions.
    var accumulators: Int, columns: Int, product: Int, planes: Int

    init(_ g: ConvGeometry) {
      samplesPerBlock = max(1, min(g.batch, Self.columnsPerGEMM / max(g.outPlane, 1)))
      let wide = samplesPerBlock * g.outPlane
      accumulators = g.outPerGroup * wide
      columns = g.columnRows * wide
      product = g.outPerGroup * wide
      planes = g.isPointwise ? 0 : g.inPerGroup * g.inPlane
    }

    /// The bytes of all regions, each rounded to 64 bytes.
    var bytes: Int {
      Self.rounded(accumulators * MemoryLayout<Element.Accumulator>.stride)
        + Self.rounded((columns + product + planes) * MemoryLayout<Float>.stride) + 64
    }

    /// `n` rounded up to a multiple of 64.
    static func rounded(_ n: Int) -> Int { (n + 63) & ~63 }

    /// The GEMM width the blocking aims for.
    static var columnsPerGEMM: Int { 1024 }
  }

  /// The sizes.
  let layout: Layout
  /// `rows x wide` accumulators.
  let accumulators: UnsafeMutablePointer<Element.Accumulator>
  /// `K x wide` im2col matrix.
  let columns: UnsafeMutablePointer<Float>
  /// `rows x wide` float GEMM result.
  let product: UnsafeMutablePointer<Float>
  /// One sample's group of input planes as floats.
  let planes: UnsafeMutablePointer<Float>

  /// Carves the regions from `memory`, which holds `Layout(g).bytes` bytes.
  init(_ g: ConvGeometry, _ memory: UnsafeMutableRawPointer) {
    layout = Layout(g)
    let start = Layout.rounded(Int(bitPattern: memory)) - Int(bitPattern: memory)
    let accumulatorBytes = Layout.rounded(layout.accumulators * MemoryLayout<Element.Accumulator>.stride)
    accumulators = (memory + start).bindMemory(to: Element.Accumulator.self, capacity: layout.accumulators)
    let floats = (memory + start + accumulatorBytes).bindMemory(
      to: Float.self, capacity: layout.columns + layout.product + layout.planes)
    columns = floats
    product = floats + layout.columns
    planes = floats + layout.columns + layout.product
  }
}
