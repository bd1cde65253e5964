import Foundation
import Testing

@testable import JumpEngine

/// Fake quantization: the forward values against the quantization rules, the straight-through estimator,
/// and LSQ's scale gradient against its formula and, where it is a true derivative, finite differences.
@Suite("Training: fake quantization")
struct FakeQuantizeTests {
  /// int8 parameters for [-1, 2]: scale 3/255, zero point -43.
  static let parameters = QuantizationParameters(scale: 3.0 / 255, zeroPoint: -43)

  @Test("the forward pass gives the values the integer codes stand for, clamped to the range")
  func forwardMatchesTheQuantizationRules() {
    var random = SeededRandom(state: 3)
    let x = TrainValue(shape: [200], values: random.floats(200, in: -2...3))
    let quantizer = FakeQuantizer(Self.parameters)
    let y = quantizer.forward(x)
    for (v, q) in zip(x.values, y.values) {
      let code = QuantizationRules.quantize(
        v, scale: Self.parameters.scale, zeroPoint: -43, range: -128...127)
      #expect(abs(q - Float(code + 43) * Self.parameters.scale) <= 1e-6)
    }
    #expect(y.values.max() ?? 0 <= quantizer.representable.upperBound + 1e-6)
    #expect(y.values.min() ?? 0 >= quantizer.representable.lowerBound - 1e-6)
  }

  @Test("the straight-through gradient is the identity inside the range and zero outside, as differences say")
  func straightThroughEstimator() {
    let quantizer = FakeQuantizer(Self.parameters)
    let range = quantizer.representable
    let x = TrainValue(shape: [6], values: [-1.8, -0.4, 0.3, 1.5, 2.4, 2.9])
    var gradient = TrainValue(shape: [6], values: [1, 2, 3, 4, 5, 6])
    quantizer.passThrough(x, &gradient)
    for (i, v) in x.values.enumerated() {
      let inside = v >= range.lowerBound && v <= range.upperBound
      #expect(gradient.values[i] == (inside ? Float(i + 1) : 0), "x = \(v)")
      if !inside {
        // Outside the range the function is flat: the finite difference is exactly the STE's zero.
        let h: Float = 1e-2
        let plus = quantizer.forward(TrainValue(shape: [1], values: [v + h])).values[0]
        let minus = quantizer.forward(TrainValue(shape: [1], values: [v - h])).values[0]
        #expect((plus - minus) / (2 * h) == 0)
      }
    }
  }

  @Test("LSQ's scale gradient follows its formula, and finite differences where values are clamped")
  func learnedScaleGradient() {
    let quantizer = FakeQuantizer(Self.parameters)
    var random = SeededRandom(state: 9)
    let x = TrainValue(shape: [64], values: random.floats(64, in: -2...3))
    let g = TrainValue(shape: [64], values: random.floats(64, in: -1...1))
    let s = Self.parameters.scale
    var expected: Double = 0
    for (v, d) in zip(x.values, g.values) {
      let q = (v / s).rounded() - 43
      let slope: Float = q < -128 ? -128 + 43 : (q > 127 ? 127 + 43 : (v / s).rounded() - v / s)
      expected += Double(d * slope)
    }
    #expect(abs(quantizer.scaleGradient(x, g) - expected) < 1e-4)

    // A clamped value is (code - z) · s: its derivative by s is exactly (code - z).
    let clamped = TrainValue(shape: [2], values: [-1.9, 2.8])
    let ones = TrainValue(shape: [2], values: [1, 0])
    let h: Float = 1e-4
    func lowEnd(_ scale: Float) -> Float {
      FakeQuantizer(QuantizationParameters(scale: scale, zeroPoint: -43)).forward(clamped).values[0]
    }
    let difference = Double((lowEnd(s + h) - lowEnd(s - h)) / (2 * h))
    #expect(abs(quantizer.scaleGradient(clamped, ones) - difference) < 0.05)
    #expect(quantizer.scaleGradient(clamped, ones) == -85)
  }

  @Test("weight fake quantization is the quantizer's symmetric weights, dequantized, on any axis")
  func weightsMatchTheQuantizer() {
    var random = SeededRandom(state: 5)
    let shape = [4, 3, 2, 2]
    let w = random.floats(48, in: -0.7...0.9)
    for (axis, limit) in [(Optional(0), Int64(127)), (nil, 127), (1, 7), (0, 7)] {
      let (codes, scales) = QuantizationRules.symmetricWeights(w, shape: shape, axis: axis, limit: limit)
      let inner = axis.map { shape[($0 + 1)...].reduce(1, *) } ?? 48
      let channels = axis.map { shape[$0] } ?? 1
      let expected = codes.enumerated().map { i, q in
        Float(q) * scales[axis == nil ? 0 : (i / inner) % channels]
      }
      #expect(WeightFakeQuantization.apply(w, shape: shape, axis: axis, limit: limit) == expected)
    }
  }
}
