import Testing

@testable import JumpEngine

/// The fast convolution kernels (exact float GEMM, padded-plane depthwise) against the straightforward
/// loops of `ReferenceConvolution`, bit for bit, on random layers: strides, asymmetric pads, dilations,
/// groups, depth multipliers, batches, int8 / int4 / int16x8, per-tensor and per-channel multipliers, both
/// rounding modes, extreme zero points, pruned taps, depths long enough to need several exact GEMM chunks,
/// one or two threads, and int8 layers through the dot-product GEMM too where the processor has it.
@Suite("Integer kernels: fast paths against the reference loops", .serialized)
struct FastConvolutionTests {
  typealias R = ReferenceConvolution

  /// What a random layer is.
  enum Kind { case conv, depthwise, fullyConnected }

  /// A random layer of `kind` with `Element` activations, and its quantization.
  static func layer<Element: ConvolutionActivation>(
    _ kind: Kind, _: Element.Type, seed: UInt64, int4: Bool = false, largeDepth: Bool = false
  ) throws -> (R.Operands<Element>, ConvolutionQuantization) {
    var r = SplitMix64(seed: seed)
    let g = geometry(kind, &r, largeDepth: largeDepth)
    let wide = Element.self == Int16.self
    let perGroupIn = kind == .depthwise ? 1 : g.inPerGroup
    let taps = perGroupIn * g.kernelHeight * g.kernelWidth
    let weightRange = int4 ? -7...7 : (r.int(0...3) == 0 ? -128...127 : -127...127)
    var weight = r.int8s(g.outChannels * taps, weightRange)
    for i in weight.indices where r.int(0...9) == 0 { weight[i] = 0 }
    let input = (0..<(g.batch * g.inChannels * g.inPlane)).map { _ in
      Element(truncatingIfNeeded: r.int(Int(Element.min)...Int(Element.max)))
    }
    let zeroPoint: Int32 = wide ? 0 : [Int32(-128), 127, Int32(r.int(-128...127))][r.int(0...2)]
    let biasLimit = wide ? 1 << 24 : 1 << 14
    let bias = (0..<g.outChannels).map { _ in Element.Accumulator(r.int(-biasLimit...biasLimit)) }
    let perChannel = r.int(0...1) == 1
    let weightScales = (0..<(perChannel ? g.outChannels : 1)).map { _ in Float(r.double(0.002, 0.02)) }
    let inputScale = Float(r.double(0.01, 0.05))
    let typicalAccumulator = Double(Element.max) * (int4 ? 4 : 64) * Double(taps).squareRoot()
    let typicalOutput = wide ? 8000.0 : 40.0
    let outputScale = Float(Double(inputScale) * 0.01 * typicalAccumulator / typicalOutput)
    let rounding: RoundingMode = wide || r.int(0...1) == 0 ? .double : .single
    let full = wide ? ActivationRange.int16 : ActivationRange.int8
    let range = r.int(0...2) == 0 ? ActivationRange(min: full.min / 4, max: full.max / 2) : full
    let q = ConvolutionQuantization(
      inputZeroPoint: zeroPoint, outputZeroPoint: wide ? 0 : Int32(r.int(-20...20)),
      multipliers: try ConvolutionQuantization.channelMultipliers(
        inputScale: inputScale, weightScales: weightScales, outputScale: outputScale, channels: g.outChannels,
        rounding: rounding),
      range: range, rounding: rounding)
    return (R.Operands(g: g, input: input, weight: weight, bias: bias, depthwise: kind == .depthwise), q)
  }

  /// A random geometry whose windows fit the (padded) input.
  static func geometry(_ kind: Kind, _ r: inout SplitMix64, largeDepth: Bool) -> ConvGeometry {
    let batch = r.int(1...3)
    if kind == .fullyConnected {
      let depth = largeDepth ? r.int(1100...1400) : r.int(1...64)
      return IntegerKernels.fullyConnectedGeometry(batch: batch, depth: depth, units: r.int(1...12))!
    }
    while true {
      let kernel = (r.int(1...4), r.int(1...4))
      let stride = (r.int(1...3), r.int(1...3))
      let dilation = (r.int(1...2), r.int(1...2))
      let pads = (0..<4).map { _ in r.int(0...2) }
      let (height, width) = (r.int(1...9), r.int(1...9))
      let spanH = dilation.0 * (kernel.0 - 1) + 1
      let spanW = dilation.1 * (kernel.1 - 1) + 1
      guard height + pads[0] + pads[2] >= spanH, width + pads[1] + pads[3] >= spanW else { continue }
      let (channels, outChannels, group): (Int, Int, Int)
      switch kind {
      case .depthwise:
        let c = r.int(1...6)
        (channels, outChannels, group) = (c, c * r.int(1...3), c)
      default:
        let groups = [1, 1, 2, 3][r.int(0...3)]
        let perGroupIn = largeDepth ? 130 : r.int(1...5)
        (channels, outChannels, group) = (groups * perGroupIn, groups * r.int(1...4), groups)
      }
      return JumpEngineTests.geometry(
        batch: batch, channels: channels, height: height, width: width, outChannels: outChannels,
        kernel: largeDepth ? (3, 3) : kernel, stride: largeDepth ? (1, 1) : stride,
        pads: largeDepth ? [1, 1, 1, 1] : pads, dilation: largeDepth ? (1, 1) : dilation, group: group)
    }
  }

  /// The fast kernel's output with `threads` threads, through the executor's entry points; with
  /// `int8Dot`, int8 CONV_2D and FULLY_CONNECTED run the dot-product GEMM (where the processor has it).
  static func fast<Element: ConvolutionActivation>(
    _ o: R.Operands<Element>, _ q: ConvolutionQuantization, threads: Int, int8Dot: Bool = false
  ) -> [Element] {
    let g = o.g
    var output = [Element](repeating: 0, count: g.batch * g.outChannels * g.outPlane)
    let bytes =
      o.depthwise
      ? IntegerKernels.depthwiseWorkspaceBytes(g, Element.self, threads: threads)
      : IntegerKernels.convolutionWorkspaceBytes(g, Element.self)
    let workspace = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    defer { workspace.deallocate() }
    withPointer(o.input) { x in
      withPointer(o.weight) { w in
        withPointer(o.bias) { b in
          withMutablePointer(&output) { y in
            if o.depthwise {
              IntegerKernels.depthwise(
                g, input: x, weight: w, bias: b, output: y, quantization: q, workspace: workspace,
                threads: threads)
            } else {
              let packed = PackedConvolutionWeights(
                w, rows: g.outChannels, depth: g.columnRows,
                largestSlice: Element.largestSlice(zeroPoint: q.inputZeroPoint),
                int8InputZeroPoint: int8Dot && Element.self == Int8.self ? q.inputZeroPoint : nil)
              IntegerKernels.convolve(
                g, input: x, weights: packed, bias: b, output: y, quantization: q, workspace: workspace,
                threads: threads)
            }
          }
        }
      }
    }
    return output
  }

  /// Checks one random layer with one and two threads.
  static func check<Element: ConvolutionActivation>(
    _ kind: Kind, _ type: Element.Type, seed: UInt64, int4: Bool = false, largeDepth: Bool = false
  ) throws {
    let (o, q) = try layer(kind, type, seed: seed, int4: int4, largeDepth: largeDepth)
    let expected = R.run(o, q)
    let dot = Element.self == Int8.self && kind != .depthwise && Int8DotWeights.isSupported
    for (threads, int8Dot) in [(1, false), (2, false)] + (dot ? [(1, true), (2, true)] : []) {
      let actual = fast(o, q, threads: threads, int8Dot: int8Dot)
      let differing = zip(actual, expected).filter { $0 != $1 }.count
      let what = "\(kind) \(Element.self) seed \(seed) \(o.g) threads \(threads) dot \(int8Dot)"
      #expect(differing == 0, "\(what): \(differing)/\(expected.count) differ")
    }
  }

  @Test("CONV_2D int8 and int4, random layers", arguments: 0..<40)
  func conv(seed: Int) throws {
    try Self.check(.conv, Int8.self, seed: UInt64(seed), int4: seed % 4 == 3)
  }

  @Test("DEPTHWISE_CONV_2D int8 and int4, random layers", arguments: 0..<30)
  func depthwise(seed: Int) throws {
    try Self.check(.depthwise, Int8.self, seed: UInt64(100 + seed), int4: seed % 4 == 3)
  }

  @Test("FULLY_CONNECTED int8 and int4, random layers", arguments: 0..<20)
  func fullyConnected(seed: Int) throws {
    try Self.check(.fullyConnected, Int8.self, seed: UInt64(200 + seed), int4: seed % 4 == 3)
  }

  @Test("16x8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, random layers", arguments: 0..<20)
  func sixteenByEight(seed: Int) throws {
    try Self.check(.conv, Int16.self, seed: UInt64(300 + seed))
    try Self.check(.depthwise, Int16.self, seed: UInt64(400 + seed))
    try Self.check(.fullyConnected, Int16.self, seed: UInt64(500 + seed))
  }

  @Test("depths that need several exact GEMM chunks", arguments: 0..<4)
  func largeDepth(seed: Int) throws {
    try Self.check(.conv, Int8.self, seed: UInt64(600 + seed), largeDepth: true)
    try Self.check(.fullyConnected, Int8.self, seed: UInt64(700 + seed), largeDepth: true)
    try Self.check(.conv, Int16.self, seed: UInt64(800 + seed), largeDepth: true)
    try Self.check(.fullyConnected, Int16.self, seed: UInt64(900 + seed), largeDepth: true)
  }

  @Test("a long depth is cut into chunks whose float sums stay exact")
  func chunks() {
    let weight: [Int8] = [-128] + [Int8](repeating: 1, count: 2999)
    let packed = withPointer(weight) { w in
      PackedConvolutionWeights(w, rows: 1, depth: 3000, largestSlice: Int8.largestSlice(zeroPoint: -128))
    }
    #expect(Int8.largestSlice(zeroPoint: -128) == 255)
    #expect(packed.chunk == (1 << 24) / (128 * 255))
  }
}
