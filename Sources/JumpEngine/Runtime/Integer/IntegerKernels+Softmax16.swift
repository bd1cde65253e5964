import Foundation

/// The parameters of TFLite Micro's int16 SOFTMAX (`CalculateSoftmaxParams` for int16): input and output
/// zero points 0, output scale 1/32768.
///
/// Unlike int8, int16 SOFTMAX uses two interpolated lookup tables built in `float`: `exp` on [-10, 0] and
/// `1 / (1 + x)` on [0, 1]. Input differences are rescaled so that [-65535, 0] covers [-10, 0].
struct Softmax16Parameters: Equatable, Sendable {
  /// `beta * s_in / (10 / 65535)`: rescales an input difference onto the exp table's input.
  var inputMultiplier: QuantizedMultiplier
  /// `exp(x)` for `x` in [-10, 0].
  var expTable: Int16InterpolatedTable
  /// `1 / (1 + x)` for `x` in [0, 1].
  var reciprocalTable: Int16InterpolatedTable
  /// The device's rounding mode.
  var rounding: RoundingMode

  /// TFLite Micro's prepare step for int16 input at `inputScale`.
  init(inputScale: Float, beta: Float = 1, rounding: RoundingMode = .double) throws(EngineError) {
    guard inputScale > 0, inputScale.isFinite, beta > 0, beta.isFinite else {
      throw EngineError(
        .invalidModel, "SOFTMAX input scale \(inputScale) and beta \(beta) must be positive and finite")
    }
    self.rounding = rounding
    let real = Double(inputScale) * Double(beta) / (10.0 / 65535.0)
    inputMultiplier = try QuantizedMultiplier(real, rounding: rounding)
    let range = Float(Int32(Int16.max) - Int32(Int16.min))
    expTable = Int16InterpolatedTable(
      inputScale: 10 / range, inputZeroPoint: Int32(Int16.max), outputScale: 2 / range, outputZeroPoint: 0
    ) { Foundation.exp($0) }
    reciprocalTable = Int16InterpolatedTable(
      inputScale: 1 / range, inputZeroPoint: Int32(Int16.min), outputScale: 2 / range, outputZeroPoint: 0
    ) { 1 / (1 + $0) }
  }

  /// `exp(x - max)` in Q0.15 (TFLite's `SoftMaxCalculateExp`).
  @inline(__always)
  func exp(_ difference: Int32) -> Int16 {
    let scaled = FixedPoint.multiply(difference, by: inputMultiplier, rounding)
    let centred = Int16(clamping: Int64(scaled) + 32767)
    return expTable(centred)
  }
}

extension IntegerKernels {
  /// TFLite Micro's int16 SOFTMAX (`reference_ops::SoftmaxInt16`) along the middle axis of an
  /// `outer x axis x inner` view (`inner == 1` for the last axis).
  static func softmax(
    _ input: UnsafePointer<Int16>, outer: Int, axis: Int, inner: Int, output: UnsafeMutablePointer<Int16>,
    parameters: Softmax16Parameters
  ) {
    for o in 0..<outer {
      for i in 0..<inner {
        let x = input + o * axis * inner + i
        let y = output + o * axis * inner + i
        var maximum = Int16.min
        for c in 0..<axis where x[c * inner] > maximum { maximum = x[c * inner] }
        // The exps are kept in the output, as the C++ does; their sum is Q16.15.
        var sum: Int32 = 0
        for c in 0..<axis {
          let e = parameters.exp(Int32(x[c * inner]) - Int32(maximum))
          y[c * inner] = e
          sum &+= Int32(e)
        }
        let headroomPlusOne = UInt32(bitPattern: sum).leadingZeroBitCount
        let shiftedSum = Int32(
          truncatingIfNeeded: ((Int64(sum) << (headroomPlusOne - 1)) + (1 << 13)) >> 14)
        // 1 / (1 + x) with x = sum - 1, centred on the table's symmetric input range.
        let centred = Int16(clamping: Int64(shiftedSum) - ((1 << 15) + (1 << 16)))
        let reciprocal = Int64(parameters.reciprocalTable(centred))
        let rightShift = 31 - headroomPlusOne
        let round = Int64(1) << (rightShift - 1)
        for c in 0..<axis {
          let result = Int32(truncatingIfNeeded: (Int64(y[c * inner]) * reciprocal + round) >> rightShift)
          y[c * inner] = Int16(min(max(result, 0), 32767))
        }
      }
    }
  }
}
