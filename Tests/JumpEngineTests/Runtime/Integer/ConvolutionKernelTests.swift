import Foundation
import Testing

@testable import JumpEngine

/// A convolution test case: random int8 data with per-channel weights and its quantization.
struct ConvCase: CustomStringConvertible {
  var g: ConvGeometry
  var input: [Int8]
  var weight: [Int8]
  var bias: [Int32]
  var inputScale: Float
  var inputZeroPoint: Int32
  var weightScales: [Float]
  var outputScale: Float
  var outputZeroPoint: Int32
  var depthwise: Bool

  var description: String {
    "\(g.batch)x\(g.inChannels)x\(g.inHeight)x\(g.inWidth) -> \(g.outChannels) k\(g.kernelHeight)x\(g.kernelWidth)"
      + " s\(g.strideHeight),\(g.strideWidth) p\(g.padTop),\(g.padLeft),\(g.padBottom),\(g.padRight)"
      + " d\(g.dilationHeight),\(g.dilationWidth) g\(g.group)"
  }

  init(_ g: ConvGeometry, seed: UInt64, depthwise: Bool = false) {
    var random = SplitMix64(seed: seed)
    self.g = g
    self.depthwise = depthwise
    let perChannel = depthwise ? 1 : g.inPerGroup
    input = random.int8s(g.batch * g.inChannels * g.inPlane)
    weight = random.int8s(g.outChannels * perChannel * g.kernelHeight * g.kernelWidth, -127...127)
    inputScale = Float(random.double(0.01, 0.05))
    inputZeroPoint = Int32(random.int(-30...30))
    weightScales = (0..<g.outChannels).map { _ in Float(random.double(0.002, 0.02)) }
    let taps = Double(perChannel * g.kernelHeight * g.kernelWidth)
    outputScale = Float(Double(inputScale) * 0.01 * 128 * sqrt(taps) / 40)
    outputZeroPoint = Int32(random.int(-10...10))
    bias = (0..<g.outChannels).map { _ in Int32(random.int(-3000...3000)) }
  }

  func quantization(
    _ range: ActivationRange = .int8, rounding: RoundingMode = .double
  ) throws
    -> ConvolutionQuantization
  {
    ConvolutionQuantization(
      inputZeroPoint: inputZeroPoint, outputZeroPoint: outputZeroPoint,
      multipliers: try ConvolutionQuantization.channelMultipliers(
        inputScale: inputScale, weightScales: weightScales, outputScale: outputScale,
        channels: g.outChannels, rounding: rounding),
      range: range, rounding: rounding)
  }

  /// The integer kernel under test.
  func run(_ q: ConvolutionQuantization, threads: Int = 1) -> [Int8] {
    var output = [Int8](repeating: 0, count: g.batch * g.outChannels * g.outPlane)
    var scratch = [Int32](repeating: 0, count: IntegerKernels.convScratchCount(g, threads: threads))
    withPointer(input) { x in
      withPointer(weight) { w in
        withPointer(bias) { b in
          withMutablePointer(&output) { y in
            withMutablePointer(&scratch) { s in
              if depthwise {
                IntegerKernels.depthwiseConv2d(
                  g, input: x, weight: w, bias: b, output: y, quantization: q, scratch: s, threads: threads)
              } else {
                IntegerKernels.conv2d(
                  g, input: x, weight: w, bias: b, output: y, quantization: q, scratch: s, threads: threads)
              }
            }
          }
        }
      }
    }
    return output
  }

  /// A direct scalar NCHW convolution in Int64 with the reference rounding.
  func scalar(_ q: ConvolutionQuantization) -> [Int8] {
    var output: [Int8] = []
    let perGroupIn = depthwise ? 1 : g.inPerGroup
    let multiplier = g.outChannels / g.inChannels
    for n in 0..<g.batch {
      for oc in 0..<g.outChannels {
        for oy in 0..<g.outHeight {
          for ox in 0..<g.outWidth {
            var acc: Int64 = 0
            for i in 0..<perGroupIn {
              let ic = depthwise ? oc / multiplier : (oc / g.outPerGroup) * g.inPerGroup + i
              for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                  let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                  let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                  guard iy >= 0, iy < g.inHeight, ix >= 0, ix < g.inWidth else { continue }
                  let x = Int64(input[((n * g.inChannels + ic) * g.inHeight + iy) * g.inWidth + ix])
                  let w = Int64(
                    weight[((oc * perGroupIn + i) * g.kernelHeight + ky) * g.kernelWidth + kx])
                  acc += w * (x - Int64(inputZeroPoint))
                }
              }
            }
            acc += Int64(bias[oc])
            let v = Reference.requantize(acc, q.multipliers[oc], q.rounding) + Int64(outputZeroPoint)
            output.append(Int8(Reference.clamp(v, Int64(q.range.min), Int64(q.range.max))))
          }
        }
      }
    }
    return output
  }

  /// The float kernel on dequantized input, weights and bias.
  func float() -> [Float] {
    let x = dequantized(input, scale: inputScale, zeroPoint: inputZeroPoint)
    let perChannel = weight.count / g.outChannels
    let w = weight.enumerated().map { i, v in Float(v) * weightScales[i / perChannel] }
    let b = bias.enumerated().map { c, v in Float(v) * inputScale * weightScales[c] }
    var output = [Float](repeating: 0, count: g.batch * g.outChannels * g.outPlane)
    var scratch = [Float](repeating: 0, count: max(1, Kernels.conv2dScratchCount(g, threads: 1)))
    withPointer(x) { xp in
      withPointer(w) { wp in
        withPointer(b) { bp in
          withMutablePointer(&output) { yp in
            withMutablePointer(&scratch) { sp in
              // A depthwise convolution is the grouped float convolution with group == C_in.
              Kernels.conv2d(
                g, input: xp, weight: wp, bias: bp, output: yp, activation: .none, scratch: sp, threads: 1)
            }
          }
        }
      }
    }
    return output
  }
}

@Suite("Integer runtime: convolution and fully connected kernels")
struct IntegerConvolutionKernelTests {
  static let convCases: [ConvCase] = [
    ConvCase(geometry(batch: 1, channels: 3, height: 9, width: 9, outChannels: 4, kernel: (3, 3)), seed: 1),
    ConvCase(
      geometry(
        batch: 2, channels: 4, height: 10, width: 11, outChannels: 5, kernel: (3, 3), stride: (2, 2),
        pads: [1, 1, 1, 1]), seed: 2),
    ConvCase(
      geometry(
        batch: 1, channels: 3, height: 8, width: 9, outChannels: 3, kernel: (3, 2), stride: (1, 2),
        pads: [0, 1, 2, 0]), seed: 3),
    ConvCase(
      geometry(
        batch: 2, channels: 2, height: 9, width: 9, outChannels: 3, kernel: (3, 3), pads: [2, 2, 2, 2],
        dilation: (2, 2)), seed: 4),
    ConvCase(geometry(batch: 2, channels: 16, height: 5, width: 5, outChannels: 8, kernel: (1, 1)), seed: 5),
    ConvCase(
      geometry(batch: 1, channels: 4, height: 7, width: 7, outChannels: 6, kernel: (3, 3), group: 2), seed: 6),
    ConvCase(
      geometry(
        batch: 1, channels: 40, height: 12, width: 12, outChannels: 24, kernel: (3, 3), pads: [1, 1, 1, 1]),
      seed: 7),
  ]

  static let depthwiseCases: [ConvCase] = [
    ConvCase(
      geometry(
        batch: 2, channels: 4, height: 9, width: 8, outChannels: 4, kernel: (3, 3), pads: [1, 1, 1, 1],
        group: 4), seed: 11, depthwise: true),
    ConvCase(
      geometry(
        batch: 1, channels: 3, height: 10, width: 10, outChannels: 6, kernel: (3, 3), stride: (2, 2),
        pads: [0, 0, 1, 1], group: 3), seed: 12, depthwise: true),
    ConvCase(
      geometry(
        batch: 1, channels: 2, height: 11, width: 11, outChannels: 6, kernel: (5, 5), pads: [4, 4, 4, 4],
        dilation: (2, 2), group: 2), seed: 13, depthwise: true),
  ]

  @Test("conv2d equals the scalar reference, both rounding modes", arguments: convCases)
  func convExact(_ c: ConvCase) throws {
    for rounding in RoundingMode.allCases {
      let q = try c.quantization(rounding: rounding)
      #expect(c.run(q) == c.scalar(q), "\(rounding)")
    }
  }

  @Test("depthwiseConv2d equals the scalar reference, both rounding modes", arguments: depthwiseCases)
  func depthwiseExact(_ c: ConvCase) throws {
    for rounding in RoundingMode.allCases {
      let q = try c.quantization(rounding: rounding)
      #expect(c.run(q) == c.scalar(q), "\(rounding)")
    }
  }

  @Test(
    "conv2d and depthwise within one output step of the float kernels", arguments: convCases + depthwiseCases)
  func againstFloat(_ c: ConvCase) throws {
    let q = try c.quantization()
    let steps = stepsFromFloat(c.run(q), c.float(), scale: c.outputScale, zeroPoint: c.outputZeroPoint)
    #expect(steps <= 1, "\(c): \(steps) steps")
  }

  @Test("threads split planes without changing results")
  func threaded() throws {
    for c in Self.convCases + Self.depthwiseCases {
      let q = try c.quantization()
      #expect(c.run(q, threads: 3) == c.run(q, threads: 1))
    }
  }

  @Test("fused RELU and RELU6 clamp at Q(0) and Q(6)")
  func fusedActivation() throws {
    var c = Self.convCases[1]
    c.outputScale = 0.06  // Q(6) = zp + 100, inside int8
    let plain = c.run(try c.quantization())
    let relu = try ActivationRange(.relu, scale: c.outputScale, zeroPoint: c.outputZeroPoint)
    let relu6 = try ActivationRange(.relu6, scale: c.outputScale, zeroPoint: c.outputZeroPoint)
    #expect(relu6.max < 127)
    #expect(c.run(try c.quantization(relu)) == plain.map { max($0, Int8(relu.min)) })
    #expect(c.run(try c.quantization(relu6)) == plain.map { min(max($0, Int8(relu6.min)), Int8(relu6.max)) })
    #expect(c.run(try c.quantization(relu6)) == c.scalar(try c.quantization(relu6)))
  }

  @Test("INT4 weights: packed, unpacked, then the int8 kernel")
  func int4Conv() throws {
    var c = Self.convCases[0]
    var random = SplitMix64(seed: 99)
    c.weight = random.int8s(c.weight.count, -7...7)
    let packed = try Int4Packing.pack(c.weight)
    #expect(packed.count == (c.weight.count + 1) / 2)
    let unpacked = try Int4Packing.unpack(packed, count: c.weight.count)
    #expect(unpacked == c.weight)
    let q = try c.quantization()
    #expect(c.run(q) == c.scalar(q))
  }

  @Test("fully connected, per-tensor and per-channel, exact and within one step of float")
  func fullyConnected() throws {
    var random = SplitMix64(seed: 21)
    let (batch, depth, units) = (3, 37, 7)
    let input = random.int8s(batch * depth)
    let weight = random.int8s(units * depth, -127...127)
    let bias = (0..<units).map { _ in Int32(random.int(-2000...2000)) }
    let (inputScale, inputZeroPoint): (Float, Int32) = (0.03, 5)
    let outputScale: Float = 0.05
    let outputZeroPoint: Int32 = -7
    for perChannel in [false, true] {
      let weightScales: [Float] =
        perChannel ? (0..<units).map { _ in Float(random.double(0.004, 0.01)) } : [0.006]
      let multipliers =
        perChannel
        ? try ConvolutionQuantization.channelMultipliers(
          inputScale: inputScale, weightScales: weightScales, outputScale: outputScale, channels: units)
        : [
          try ConvolutionQuantization.fullyConnectedMultiplier(
            inputScale: inputScale, weightScale: weightScales[0], outputScale: outputScale)
        ]
      for rounding in RoundingMode.allCases {
        let q = ConvolutionQuantization(
          inputZeroPoint: inputZeroPoint, outputZeroPoint: outputZeroPoint, multipliers: multipliers,
          rounding: rounding)
        var output = [Int8](repeating: 0, count: batch * units)
        withPointer(input) { x in
          withPointer(weight) { w in
            withPointer(bias) { b in
              withMutablePointer(&output) { y in
                IntegerKernels.fullyConnected(
                  batch: batch, depth: depth, units: units, input: x, weight: w, bias: b, output: y,
                  quantization: q, threads: 1)
              }
            }
          }
        }
        var expected: [Int8] = []
        var real: [Float] = []
        for n in 0..<batch {
          for u in 0..<units {
            var acc: Int64 = 0
            var y = 0.0
            let ws = Double(weightScales[perChannel ? u : 0])
            for d in 0..<depth {
              let x = Int64(input[n * depth + d]) - Int64(inputZeroPoint)
              acc += Int64(weight[u * depth + d]) * x
              y += Double(weight[u * depth + d]) * ws * Double(x) * Double(inputScale)
            }
            acc += Int64(bias[u])
            y += Double(bias[u]) * Double(inputScale) * ws
            let m = q.multipliers[perChannel ? u : 0]
            expected.append(Int8(Reference.clamp(Reference.requantize(acc, m, rounding) - 7, -128, 127)))
            real.append(Float(y))
          }
        }
        #expect(output == expected, "perChannel \(perChannel) \(rounding)")
        let steps = stepsFromFloat(output, real, scale: outputScale, zeroPoint: outputZeroPoint)
        #expect(steps <= 1, "\(steps)")
      }
    }
  }
}
