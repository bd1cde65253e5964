import Foundation
import Testing

@testable import JumpEngine

@Suite("Integer runtime: quantize, requantize, dequantize, INT4 packing, 16x8 kernels")
struct IntegerQuantizeKernelTests {
  @Test("QUANTIZE from float: round half away from zero, clamp, NaN to the zero point")
  func quantize() {
    let input: [Float] = [0, 0.05, -0.05, 0.15, -0.15, 0.149, 100, -100, .infinity, -.infinity, .nan, 1.25]
    var output = [Int8](repeating: 0, count: input.count)
    withPointer(input) { x in
      withMutablePointer(&output) {
        IntegerKernels.quantize(x, count: input.count, scale: 0.1, zeroPoint: -3, output: $0)
      }
    }
    // 0.05/0.1 = 0.5 in float (slightly above), -0.5 -> -1; 1.5 -> 2; 12.5 -> 13.
    #expect(output == [-3, -2, -4, -1, -5, -2, 127, -128, 127, -128, -3, 10])
    var wide = [Int16](repeating: 0, count: 2)
    withPointer([Float(3.0), -3.0]) { x in
      withMutablePointer(&wide) {
        IntegerKernels.quantize(x, count: 2, scale: 1e-4, zeroPoint: 0, output: $0)
      }
    }
    #expect(wide == [30000, -30000])
  }

  @Test("DEQUANTIZE then QUANTIZE round-trips every int8 value")
  func roundTrip() {
    let all: [Int8] = (-128...127).map { Int8($0) }
    var real = [Float](repeating: 0, count: 256)
    var back = [Int8](repeating: 0, count: 256)
    withPointer(all) { x in
      withMutablePointer(&real) {
        IntegerKernels.dequantize(x, count: 256, scale: 0.0173, zeroPoint: 11, output: $0)
      }
    }
    #expect(real[128] == Float(0 - 11) * 0.0173)
    withPointer(real) { x in
      withMutablePointer(&back) {
        IntegerKernels.quantize(x, count: 256, scale: 0.0173, zeroPoint: 11, output: $0)
      }
    }
    #expect(back == all)
  }

  @Test("requantize int8 -> int8 equals the scalar restatement and is the identity for equal parameters")
  func requantize() throws {
    let all: [Int8] = (-128...127).map { Int8($0) }
    for rounding in RoundingMode.allCases {
      let p = try RequantizeParameters(
        inputScale: 0.05, inputZeroPoint: 7, outputScale: 0.08, outputZeroPoint: -20, rounding: rounding)
      var output = [Int8](repeating: 0, count: 256)
      withPointer(all) { x in
        withMutablePointer(&output) { IntegerKernels.requantize(x, count: 256, output: $0, parameters: p) }
      }
      let expected = all.map { v in
        Int8(Reference.clamp(Reference.requantize(Int64(v) - 7, p.multiplier, rounding) - 20, -128, 127))
      }
      #expect(output == expected)
      let real = all.map { Float(Int32($0) - 7) * 0.05 }
      #expect(stepsFromFloat(output, real, scale: 0.08, zeroPoint: -20) <= 0.5 + 1e-4)
      let same = try RequantizeParameters(
        inputScale: 0.05, inputZeroPoint: 7, outputScale: 0.05, outputZeroPoint: 7, rounding: rounding)
      withPointer(all) { x in
        withMutablePointer(&output) { IntegerKernels.requantize(x, count: 256, output: $0, parameters: same) }
      }
      #expect(output == all)
    }
  }

  @Test("INT4 packing: TFLite's nibble order, sign extension, odd counts, range check")
  func int4() throws {
    #expect(try Int4Packing.pack([1, 2]) == [0x21])
    #expect(try Int4Packing.pack([-1, 7, -8]) == [0x7F, 0x08])
    #expect(try Int4Packing.unpack([0x7F, 0x08], count: 3) == [-1, 7, -8])
    let all: [Int8] = (-8...7).map { Int8($0) }
    #expect(try Int4Packing.unpack(try Int4Packing.pack(all), count: all.count) == all)
    #expect(throws: EngineError.self) { try Int4Packing.pack([8]) }
    #expect(throws: EngineError.self) { try Int4Packing.pack([0, -9]) }
    #expect(throws: EngineError.self) { try Int4Packing.unpack([0x11], count: 3) }
    #expect(try Int4Packing.pack([]) == [])
  }

  @Test("16x8 conv, depthwise and fully connected equal a scalar restatement")
  func int16x8() throws {
    var random = SplitMix64(seed: 90)
    for depthwise in [false, true] {
      let g =
        depthwise
        ? geometry(
          batch: 2, channels: 3, height: 7, width: 6, outChannels: 6, kernel: (3, 3), stride: (2, 1),
          pads: [1, 0, 1, 2], group: 3)
        : geometry(
          batch: 2, channels: 3, height: 7, width: 6, outChannels: 4, kernel: (3, 3), stride: (2, 1),
          pads: [1, 0, 1, 2])
      let perIn = depthwise ? 1 : g.inChannels
      let input = (0..<(g.batch * g.inChannels * g.inPlane)).map { _ in Int16(random.int(-32768...32767)) }
      let weight = random.int8s(g.outChannels * perIn * 9, -127...127)
      let bias = (0..<g.outChannels).map { _ in Int64(random.int(-1_000_000...1_000_000)) }
      let multipliers = try (0..<g.outChannels).map { _ throws(EngineError) in
        try QuantizedMultiplier(random.double(1e-5, 4e-4))
      }
      let range = try ActivationRange(.relu, scale: 0.001, zeroPoint: 0, bits: 16)
      let q = ConvolutionQuantization(
        inputZeroPoint: 0, outputZeroPoint: 0, multipliers: multipliers, range: range)
      var output = [Int16](repeating: 0, count: g.batch * g.outChannels * g.outPlane)
      var scratch = [Int64](repeating: 0, count: IntegerKernels.conv16x8ScratchCount(g, threads: 2))
      withPointer(input) { x in
        withPointer(weight) { w in
          withPointer(bias) { b in
            withMutablePointer(&output) { y in
              withMutablePointer(&scratch) { s in
                if depthwise {
                  IntegerKernels.depthwiseConv2d16x8(
                    g, input: x, weight: w, bias: b, output: y, quantization: q, scratch: s, threads: 2)
                } else {
                  IntegerKernels.conv2d16x8(
                    g, input: x, weight: w, bias: b, output: y, quantization: q, scratch: s, threads: 2)
                }
              }
            }
          }
        }
      }
      var expected: [Int16] = []
      for n in 0..<g.batch {
        for oc in 0..<g.outChannels {
          for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
              var acc: Int64 = bias[oc]
              for i in 0..<perIn {
                let ic = depthwise ? oc / 2 : i
                for ky in 0..<3 {
                  for kx in 0..<3 {
                    let iy = oy * g.strideHeight - g.padTop + ky
                    let ix = ox * g.strideWidth - g.padLeft + kx
                    guard iy >= 0, iy < g.inHeight, ix >= 0, ix < g.inWidth else { continue }
                    acc +=
                      Int64(weight[((oc * perIn + i) * 3 + ky) * 3 + kx])
                      * Int64(input[((n * g.inChannels + ic) * g.inHeight + iy) * g.inWidth + ix])
                  }
                }
              }
              // TFLite's 64-bit requantization: the multiplier rounded to Q15, one rounding shift.
              let m = multipliers[oc]
              let reduced = (Int64(m.multiplier) + (1 << 15)) >> 16
              let total = 15 - m.shift
              let v = (acc * reduced + (Int64(1) << (total - 1))) >> total
              expected.append(Int16(Reference.clamp(v, Int64(range.min), Int64(range.max))))
            }
          }
        }
      }
      #expect(output == expected, "depthwise \(depthwise)")
    }
    // Fully connected 16x8.
    let (batch, depth, units) = (2, 19, 3)
    let input = (0..<(batch * depth)).map { _ in Int16(random.int(-32768...32767)) }
    let weight = random.int8s(units * depth, -127...127)
    let bias: [Int64] = [5000, -7, 123_456]
    let m = try QuantizedMultiplier(3.1e-4)
    let q = ConvolutionQuantization(inputZeroPoint: 0, outputZeroPoint: 0, multipliers: [m], range: .int16)
    var output = [Int16](repeating: 0, count: batch * units)
    withPointer(input) { x in
      withPointer(weight) { w in
        withPointer(bias) { b in
          withMutablePointer(&output) { y in
            IntegerKernels.fullyConnected16x8(
              batch: batch, depth: depth, units: units, input: x, weight: w, bias: b, output: y,
              quantization: q,
              threads: 1)
          }
        }
      }
    }
    for n in 0..<batch {
      for u in 0..<units {
        var acc = bias[u]
        for d in 0..<depth { acc += Int64(weight[u * depth + d]) * Int64(input[n * depth + d]) }
        let real = Double(acc) * m.real
        #expect(abs(Double(output[n * units + u]) - real) <= 1, "\(output[n * units + u]) vs \(real)")
      }
    }
  }
}
