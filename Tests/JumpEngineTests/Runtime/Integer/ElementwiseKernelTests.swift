import Foundation
import Testing

@testable import JumpEngine

@Suite("Integer runtime: add, sub, mul, pooling and mean kernels")
struct IntegerElementwiseKernelTests {
  /// Shape pairs that broadcast over NCHW: same shape, per-channel, scalar, and both-sides broadcast.
  static let shapes: [([Int], [Int])] = [
    ([2, 3, 4, 5], [2, 3, 4, 5]), ([2, 3, 4, 5], [1, 3, 1, 1]), ([2, 3, 4, 5], [1]),
    ([2, 1, 4, 1], [1, 3, 1, 5]),
    ([1, 3, 1, 1], [2, 3, 4, 5]),
  ]

  /// Runs a binary integer kernel and its independent scalar and float references.
  private func check(
    _ name: String, seed: UInt64, float: (Double, Double) -> Double,
    kernel: (BroadcastPlan, UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void,
    scalar: (Int8, Int8) -> Int8, scales: (Float, Int32, Float, Int32, Float, Int32)
  ) throws {
    for (index, (shapeA, shapeB)) in Self.shapes.enumerated() {
      var random = SplitMix64(seed: seed + UInt64(index))
      let plan = try #require(BroadcastPlan(shapeA, shapeB))
      let a = random.int8s(shapeA.reduce(1, *))
      let b = random.int8s(shapeB.reduce(1, *))
      var output = [Int8](repeating: 0, count: plan.count)
      withPointer(a) { pa in withPointer(b) { pb in withMutablePointer(&output) { kernel(plan, pa, pb, $0) } }
      }
      // Independent broadcast: index arithmetic over the full rank.
      let rank = max(shapeA.count, shapeB.count)
      let fullA = Array(repeating: 1, count: rank - shapeA.count) + shapeA
      let fullB = Array(repeating: 1, count: rank - shapeB.count) + shapeB
      let out = zip(fullA, fullB).map { max($0, $1) }
      var expected: [Int8] = []
      var real: [Float] = []
      for flat in 0..<plan.count {
        var rest = flat
        var (ia, ib, sa, sb) = (0, 0, 1, 1)
        for axis in stride(from: rank - 1, through: 0, by: -1) {
          let i = rest % out[axis]
          rest /= out[axis]
          ia += (fullA[axis] == 1 ? 0 : i) * sa
          ib += (fullB[axis] == 1 ? 0 : i) * sb
          sa *= fullA[axis]
          sb *= fullB[axis]
        }
        expected.append(scalar(a[ia], b[ib]))
        let x = Double(Int32(a[ia]) - scales.1) * Double(scales.0)
        let y = Double(Int32(b[ib]) - scales.3) * Double(scales.2)
        real.append(Float(float(x, y)))
      }
      #expect(output == expected, "\(name) \(shapeA) \(shapeB)")
      let steps = stepsFromFloat(output, real, scale: scales.4, zeroPoint: scales.5)
      #expect(steps <= 1, "\(name) \(shapeA) \(shapeB): \(steps) steps")
    }
  }

  /// TFLite's ADD restated in Int64 with the reference rounding.
  private func scalarAdd(_ p: AddParameters) -> (Int8, Int8) -> Int8 {
    { x, y in
      let a = (Int64(x) - Int64(p.input1ZeroPoint)) << 20
      let b = (Int64(y) - Int64(p.input2ZeroPoint)) << 20
      let sa = Reference.requantize(a, p.input1Multiplier, p.rounding)
      let sb = Reference.requantize(b, p.input2Multiplier, p.rounding)
      let sum = p.subtract ? sa - sb : sa + sb
      let v = Reference.requantize(sum, p.outputMultiplier, p.rounding) + Int64(p.outputZeroPoint)
      return Int8(Reference.clamp(v, Int64(p.range.min), Int64(p.range.max)))
    }
  }

  @Test("ADD and SUB: exact against the scalar restatement, within one step of float, both roundings")
  func addSub() throws {
    let scales: (Float, Int32, Float, Int32, Float, Int32) = (0.05, 3, 0.021, -12, 0.06, 7)
    for rounding in RoundingMode.allCases {
      for subtract in [false, true] {
        let p = try AddParameters(
          input1Scale: scales.0, input1ZeroPoint: scales.1, input2Scale: scales.2, input2ZeroPoint: scales.3,
          outputScale: scales.4, outputZeroPoint: scales.5, subtract: subtract, rounding: rounding)
        try check(
          subtract ? "sub" : "add", seed: 40, float: subtract ? { $0 - $1 } : { $0 + $1 },
          kernel: { IntegerKernels.add($0, a: $1, b: $2, output: $3, parameters: p) }, scalar: scalarAdd(p),
          scales: scales)
      }
    }
  }

  @Test("ADD with fused RELU6 clamps at Q(6)")
  func addRelu6() throws {
    let range = try ActivationRange(.relu6, scale: 0.03, zeroPoint: -100)
    let p = try AddParameters(
      input1Scale: 0.05, input1ZeroPoint: 0, input2Scale: 0.05, input2ZeroPoint: 0, outputScale: 0.03,
      outputZeroPoint: -100, range: range)
    #expect(range == ActivationRange(min: -100, max: 100))
    #expect(p.apply(Int8(127), Int8(127)) == 100)  // 12.7 -> 6
    #expect(p.apply(Int8(-100), Int8(-10)) == -100)  // negative -> 0
    #expect(p.apply(Int8(40), Int8(20)) == 0)  // 3.0 exactly: -100 + 100
  }

  @Test("MUL: exact against the scalar restatement and within one step of float, both roundings")
  func mul() throws {
    let scales: (Float, Int32, Float, Int32, Float, Int32) = (0.04, -5, 0.03, 9, 0.02, -3)
    for rounding in RoundingMode.allCases {
      let p = try MulParameters(
        input1Scale: scales.0, input1ZeroPoint: scales.1, input2Scale: scales.2, input2ZeroPoint: scales.3,
        outputScale: scales.4, outputZeroPoint: scales.5, rounding: rounding)
      try check(
        "mul", seed: 50, float: { $0 * $1 },
        kernel: { IntegerKernels.mul($0, a: $1, b: $2, output: $3, parameters: p) },
        scalar: { x, y in
          let product = (Int64(x) - Int64(scales.1)) * (Int64(y) - Int64(scales.3))
          let v = Reference.requantize(product, p.multiplier, rounding) + Int64(scales.5)
          return Int8(Reference.clamp(v, -128, 127))
        }, scales: scales)
    }
  }

  @Test("MUL: LiteRT's multiplier comes from float scales, TFLite Micro's from double")
  func mulScalesInFloat() throws {
    // Scales found by search where the two multipliers round 10 of the 65,536 int8 code pairs apart.
    // LiteRT 2.3's reference MUL on all 65,536 pairs (a one-op model built as LiteRTParityTests builds
    // them) gives exactly the float-multiplier outputs; these are its codes at the 10 pairs.
    let scales: (Float, Int32, Float, Int32, Float, Int32) = (
      0.013949559070169926, 2, 0.08705306053161621, -17, 0.3359427750110626, -13
    )
    func parameters(inFloat: Bool) throws -> MulParameters {
      try MulParameters(
        input1Scale: scales.0, input1ZeroPoint: scales.1, input2Scale: scales.2, input2ZeroPoint: scales.3,
        outputScale: scales.4, outputZeroPoint: scales.5, scalesInFloat: inFloat)
    }
    let liteRT = try parameters(inFloat: true)
    let micro = try parameters(inFloat: false)
    #expect(liteRT.multiplier == QuantizedMultiplier(multiplier: 1_987_234_304, shift: -8))
    #expect(micro.multiplier == QuantizedMultiplier(multiplier: 1_987_234_188, shift: -8))
    let litertCodes: [(Int8, Int8, Int8)] = [
      (-37, -56, -7), (41, -56, -19), (-115, -30, -7), (119, -30, -19), (-115, -4, -19), (119, -4, -7),
      (-37, 22, -19), (41, 22, -7), (-11, 100, -19), (15, 100, -7),
    ]
    for (a, b, expected) in litertCodes {
      #expect(liteRT.apply(a, b) == expected, "\(a) × \(b)")
      #expect(micro.apply(a, b) != expected, "\(a) × \(b): TFLite Micro's multiplier rounds the other way")
    }
    // Elsewhere the two agree.
    var differing = 0
    for a in Int8.min...Int8.max {
      for b in Int8.min...Int8.max where liteRT.apply(a, b) != micro.apply(a, b) { differing += 1 }
    }
    #expect(differing == litertCodes.count)
  }

  static let poolGeometries: [ConvGeometry] = [
    geometry(batch: 2, channels: 3, height: 8, width: 8, outChannels: 3, kernel: (2, 2), stride: (2, 2)),
    geometry(
      batch: 1, channels: 2, height: 7, width: 9, outChannels: 2, kernel: (3, 3), stride: (2, 2),
      pads: [1, 1, 1, 1]),
    geometry(
      batch: 1, channels: 2, height: 6, width: 5, outChannels: 2, kernel: (3, 2), stride: (1, 2),
      pads: [0, 1, 2, 0]),
    // ceil_mode-style geometry: the last window overhangs the input (one extra output row and column).
    ConvGeometry(
      input: [1, 2, 7, 7], outChannels: 2, output: [1, 2, 4, 4], kernel: [3, 3], strides: [2, 2],
      pads: [0, 0, 0, 0], dilations: [1, 1], group: 1)!,
  ]

  @Test("average and max pooling: exact against a scalar restatement, within one step of float")
  func pooling() throws {
    for (index, g) in Self.poolGeometries.enumerated() {
      var random = SplitMix64(seed: 60 + UInt64(index))
      let input = random.int8s(g.batch * g.inChannels * g.inPlane)
      var average = [Int8](repeating: 0, count: g.batch * g.inChannels * g.outPlane)
      var maximum = average
      withPointer(input) { x in
        withMutablePointer(&average) { IntegerKernels.averagePool2d(g, input: x, output: $0, range: .int8) }
        withMutablePointer(&maximum) { IntegerKernels.maxPool2d(g, input: x, output: $0, range: .int8) }
      }
      var expectedAverage: [Int8] = []
      var expectedMaximum: [Int8] = []
      for p in 0..<(g.batch * g.inChannels) {
        for oy in 0..<g.outHeight {
          for ox in 0..<g.outWidth {
            var values: [Int] = []
            for ky in 0..<g.kernelHeight {
              for kx in 0..<g.kernelWidth {
                let iy = oy * g.strideHeight - g.padTop + ky
                let ix = ox * g.strideWidth - g.padLeft + kx
                if iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth {
                  values.append(Int(input[p * g.inPlane + iy * g.inWidth + ix]))
                }
              }
            }
            // Round half away from zero of sum / count.
            let mean = (Double(values.reduce(0, +)) / Double(values.count)).rounded(.toNearestOrAwayFromZero)
            expectedAverage.append(Int8(mean))
            expectedMaximum.append(Int8(values.max() ?? -128))
          }
        }
      }
      #expect(average == expectedAverage, "average \(index)")
      #expect(maximum == expectedMaximum, "max \(index)")
      // The float kernel on dequantized input (scale 0.1, zero point 4): count_include_pad = 0.
      let x = dequantized(input, scale: 0.1, zeroPoint: 4)
      var y = [Float](repeating: 0, count: average.count)
      withPointer(x) { xp in
        withMutablePointer(&y) {
          Kernels.averagePool2d(g, countIncludePad: false, input: xp, output: $0, threads: 1)
        }
      }
      #expect(stepsFromFloat(average, y, scale: 0.1, zeroPoint: 4) <= 0.5 + 1e-4, "average \(index) vs float")
    }
  }

  @Test("pooling clamps to the fused activation range")
  func poolClamp() {
    let g = Self.poolGeometries[0]
    let input = [Int8](repeating: 100, count: g.batch * g.inChannels * g.inPlane)
    var output = [Int8](repeating: 0, count: g.batch * g.inChannels * g.outPlane)
    let range = ActivationRange(min: -10, max: 50)
    withPointer(input) { x in
      withMutablePointer(&output) { IntegerKernels.maxPool2d(g, input: x, output: $0, range: range) }
    }
    #expect(output.allSatisfy { $0 == 50 })
  }

  @Test("MEAN over H and W: exact against the scalar restatement, within one step of float")
  func mean() throws {
    var random = SplitMix64(seed: 70)
    for (outer, reduced, inner) in [(6, 49, 1), (2, 7, 5), (3, 1, 1), (4, 1000, 1), (1, 3, 1)] {
      let input = random.int8s(outer * reduced * inner)
      for rounding in RoundingMode.allCases {
        let p = try MeanParameters(
          inputScale: 0.05, inputZeroPoint: -6, outputScale: 0.03, outputZeroPoint: 2, rounding: rounding)
        var output = [Int8](repeating: 0, count: outer * inner)
        withPointer(input) { x in
          withMutablePointer(&output) {
            IntegerKernels.mean(x, outer: outer, reduced: reduced, inner: inner, output: $0, parameters: p)
          }
        }
        // Scalar restatement of QuantizedMeanOrSum.
        let lz = UInt64(reduced).leadingZeroBitCount
        let shift = min(63 - lz, 32, 31 + p.multiplier.shift)
        let folded = QuantizedMultiplier(
          multiplier: Int32((Int64(p.multiplier.multiplier) << shift) / Int64(reduced)),
          shift: p.multiplier.shift - shift)
        var expected: [Int8] = []
        var real: [Float] = []
        for o in 0..<outer {
          for i in 0..<inner {
            var sum: Int64 = 0
            for r in 0..<reduced { sum += Int64(input[(o * reduced + r) * inner + i]) }
            let v = Reference.requantize(sum + 6 * Int64(reduced), folded, rounding) + 2
            expected.append(Int8(Reference.clamp(v, -128, 127)))
            real.append(Float(Double(sum + 6 * Int64(reduced)) * 0.05 / Double(reduced)))
          }
        }
        #expect(output == expected, "\(outer)x\(reduced)x\(inner) \(rounding)")
        #expect(stepsFromFloat(output, real, scale: 0.03, zeroPoint: 2) <= 1)
      }
    }
    // The float kernel on dequantized data agrees too.
    let input = random.int8s(2 * 3 * 16)
    let p = try MeanParameters(inputScale: 0.05, inputZeroPoint: -6, outputScale: 0.05, outputZeroPoint: -6)
    var output = [Int8](repeating: 0, count: 6)
    var y = [Float](repeating: 0, count: 6)
    let x = dequantized(input, scale: 0.05, zeroPoint: -6)
    withPointer(input) { xi in
      withMutablePointer(&output) {
        IntegerKernels.mean(xi, outer: 6, reduced: 16, inner: 1, output: $0, parameters: p)
      }
    }
    withPointer(x) { xp in
      withMutablePointer(&y) { Kernels.meanMiddle(xp, outer: 6, reduced: 16, inner: 1, output: $0) }
    }
    #expect(stepsFromFloat(output, y, scale: 0.05, zeroPoint: -6) <= 1)
  }
}
