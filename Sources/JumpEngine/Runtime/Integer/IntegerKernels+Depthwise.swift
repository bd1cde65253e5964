extension IntegerKernels {
  /// The bytes of workspace `depthwise` needs: per worker, one zero-padded input plane and one accumulator
  /// plane.
  static func depthwiseWorkspaceBytes<Element: ConvolutionActivation>(
    _ g: ConvGeometry, _: Element.Type, threads: Int
  ) -> Int {
    depthwiseWorkerBytes(g, Element.self) * max(1, min(threads, g.batch * g.inChannels))
  }

  /// TFLite's DEPTHWISE_CONV_2D (`DepthwiseConvPerChannel`, int8 or 16x8) on NCHW data.
  ///
  /// `g.group == C_in` and `C_out = C_in * depthMultiplier`; output channel `oc` reads input channel
  /// `oc / depthMultiplier` (TFLite's `ic * depth_multiplier + m` order, which is also ONNX's grouped
  /// convolution order). `weight` is `C_out x 1 x kh x kw`, `bias` one accumulator per output channel (or
  /// nil); multipliers are per output channel.
  ///
  /// Each input plane is copied once, minus the zero point, into a plane padded with zeros (TFLite's omitted
  /// taps contribute nothing), so every tap is one unguarded loop over a row of output pixels. Input planes
  /// are split across `threads` workers; the result does not depend on the split. `workspace` holds
  /// `depthwiseWorkspaceBytes(g, Element.self, threads:)` bytes.
  @_specialize(where Element == Int8)
  @_specialize(where Element == Int16)
  static func depthwise<Element: ConvolutionActivation>(
    _ g: ConvGeometry, input: UnsafePointer<Element>, weight: UnsafePointer<Int8>,
    bias: UnsafePointer<Element.Accumulator>?, output: UnsafeMutablePointer<Element>,
    quantization q: ConvolutionQuantization, workspace: UnsafeMutableRawPointer, threads: Int
  ) {
    let multiplier = max(1, g.outChannels / max(1, g.inChannels))
    let taps = g.kernelHeight * g.kernelWidth
    let paddedWidth = g.padLeft + g.inWidth + g.padRight
    let paddedCount = (g.padTop + g.inHeight + g.padBottom) * paddedWidth
    let workerBytes = depthwiseWorkerBytes(g, Element.self)
    let planes = g.batch * g.inChannels
    let work = planes * multiplier * g.outPlane * taps
    Kernels.parallelParts(planes, threads: work >= parallelWork ? threads : 1) { part, range in
      let memory = workspace + part * workerBytes
      let padded = memory.bindMemory(to: Int16.self, capacity: paddedCount)
      let acc = (memory + ConvolutionWorkspace<Element>.Layout.rounded(paddedCount * 2))
        .bindMemory(to: Element.Accumulator.self, capacity: g.outPlane)
      // The border stays zero: each plane rewrites only the interior.
      padded.update(repeating: 0, count: paddedCount)
      for p in range {
        let n = p / g.inChannels
        let ic = p - n * g.inChannels
        let source = input + p * g.inPlane
        for y in 0..<g.inHeight {
          let row = padded + (g.padTop + y) * paddedWidth + g.padLeft
          let sourceRow = source + y * g.inWidth
          for x in 0..<g.inWidth { row[x] = Element.centered(sourceRow[x], zeroPoint: q.inputZeroPoint) }
        }
        for m in 0..<multiplier {
          let oc = ic * multiplier + m
          accumulateTaps(g, padded, paddedWidth: paddedWidth, taps: weight + oc * taps, into: acc)
          Element.requantize(
            acc, g.outPlane, bias: bias?[oc] ?? 0, multiplier: q.multiplier(oc), q,
            output: output + (n * g.outChannels + oc) * g.outPlane)
        }
      }
    }
  }

  /// One output plane's accumulators: `acc[oy, ox] = sum(w[ky, kx] * padded[oy*sh + ky*dh, ox*sw + kx*dw])`.
  /// Zero weights (pruned taps) are skipped, which cannot change the sum.
  @inline(__always)
  private static func accumulateTaps<Accumulator: FixedWidthInteger>(
    _ g: ConvGeometry, _ padded: UnsafePointer<Int16>, paddedWidth: Int, taps: UnsafePointer<Int8>,
    into acc: UnsafeMutablePointer<Accumulator>
  ) {
    let sw = g.strideWidth
    for oy in 0..<g.outHeight {
      let row = acc + oy * g.outWidth
      row.update(repeating: 0, count: g.outWidth)
      for ky in 0..<g.kernelHeight {
        let sourceRow = padded + (oy * g.strideHeight + ky * g.dilationHeight) * paddedWidth
        for kx in 0..<g.kernelWidth {
          let w = Accumulator(taps[ky * g.kernelWidth + kx])
          if w == 0 { continue }
          let s = sourceRow + kx * g.dilationWidth
          if sw == 1 {
            for ox in 0..<g.outWidth { row[ox] &+= w &* Accumulator(s[ox]) }
          } else {
            for ox in 0..<g.outWidth { row[ox] &+= w &* Accumulator(s[ox &* sw]) }
          }
        }
      }
    }
  }

  /// The bytes of one depthwise worker: a padded int16 plane and an accumulator plane, 64-byte rounded.
  private static func depthwiseWorkerBytes<Element: ConvolutionActivation>(
    _ g: ConvGeometry, _: Element.Type
  ) -> Int {
    typealias Layout = ConvolutionWorkspace<Element>.Layout
    let padded = (g.padTop + g.inHeight + g.padBottom) * (g.padLeft + g.inWidth + g.padRight)
    return Layout.rounded(padded * 2) + Layout.rounded(g.outPlane * MemoryLayout<Element.Accumulator>.stride)
  }
}
