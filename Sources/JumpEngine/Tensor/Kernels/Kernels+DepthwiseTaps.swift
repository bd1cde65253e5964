extension Kernels {
  /// True when a depthwise convolution runs on `depthwiseTapList`: output rows narrower than one `SIMD4`
  /// (the late 1 x 1 and 2 x 2 planes of mobile networks), where the padded-plane kernel spends its time on
  /// padding taps and scalar tails. The tap list is small enough to live on the stack.
  static func usesDepthwiseTapList(_ g: ConvGeometry) -> Bool {
    g.outWidth < 4 && g.outPlane * g.kernelHeight * g.kernelWidth <= 4096
  }

  /// Depthwise convolution over tiny planes from a list of the taps that fall inside the input.
  ///
  /// Every plane has the same geometry, so the in-bounds taps of each output element (input offset, weight
  /// index) are listed once per call; each plane then sums only those, with no padding and no bounds
  /// checks: a 5 x 5 kernel on a 1 x 1 plane reads one tap, not twenty-five. Planes are split across
  /// threads; each output element is summed in the same order whatever the split.
  static func depthwiseTapList(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>, activation: Activation, threads: Int
  ) {
    let taps = g.kernelHeight * g.kernelWidth
    let outPlane = g.outPlane
    let capacity = outPlane * taps
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: outPlane + 1 + 2 * capacity) { buffer in
      guard let starts = buffer.baseAddress else { return }
      let inputOffsets = starts + outPlane + 1
      let weightIndices = inputOffsets + capacity
      var count = 0
      for oy in 0..<g.outHeight {
        for ox in 0..<g.outWidth {
          starts[oy * g.outWidth + ox] = Int32(count)
          for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
            guard iy >= 0 && iy < g.inHeight else { continue }
            for kx in 0..<g.kernelWidth {
              let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
              guard ix >= 0 && ix < g.inWidth else { continue }
              inputOffsets[count] = Int32(iy * g.inWidth + ix)
              weightIndices[count] = Int32(ky * g.kernelWidth + kx)
              count += 1
            }
          }
        }
      }
      starts[outPlane] = Int32(count)
      let planes = g.batch * g.outChannels
      let multiplier = g.outChannels / g.inChannels
      let workers = planes * count >= 1 << 15 ? threads : 1
      let list = UncheckedSendable((starts, inputOffsets, weightIndices))
      parallelRanges(planes, threads: workers) { range in
        let (starts, inputOffsets, weightIndices) = list.value
        for p in range {
          let n = p / g.outChannels
          let oc = p - n * g.outChannels
          let source = input + (n * g.inChannels + oc / multiplier) * g.inPlane
          let w = weight + oc * taps
          let destination = output + p * outPlane
          let b = bias?[oc] ?? 0
          for o in 0..<outPlane {
            var sum = b
            for t in Int(starts[o])..<Int(starts[o + 1]) {
              sum += w[Int(weightIndices[t])] * source[Int(inputOffsets[t])]
            }
            destination[o] = sum
          }
        }
        activation.applyInPlace(output + range.lowerBound * outPlane, range.count * outPlane)
      }
    }
  }
}
