/// The part of an activation's range its only reader can tell apart: outside it the reader saturates, so
/// quantizing the activation more finely there is wasted.
///
/// HARD_SWISH is 0 for every `x ≤ −3`; an ADD of a scalar constant `c` with a fused clamp `[lo, hi]` gives
/// the same result for every `x` beyond `[lo − c, hi − c]` (HardSigmoid lowers to `relu6(x + 3)`, so its
/// input matters only in `[−3, 3]`). A producer whose output is read by such an op alone can spend its 256
/// codes on that interval: the values beyond it saturate at the end of the integer range, which the reader
/// maps to the same output as the true value, so nothing changes but a finer step inside.
enum ReaderSaturation {
  /// The interval of input `index` of `reader` outside which the reader's output no longer changes, or nil
  /// when it has none. `constant` gives the values of a constant operand.
  static func distinguishedRange(
    of reader: QuantizedNode, input index: Int, constant: (String) -> [Float]?
  ) -> ClosedRange<Float>? {
    switch reader.op {
    case .hardSwish:
      return index == 0 ? -3...Float.infinity : nil
    case .add(let activation):
      guard reader.inputs.count == 2, let c = scalar(reader.inputs[1 - index], constant) else { return nil }
      return shifted(activation, by: -c)
    case .sub(let activation):
      guard reader.inputs.count == 2, index == 0, let c = scalar(reader.inputs[1], constant) else {
        return nil
      }
      return shifted(activation, by: c)
    default:
      return nil
    }
  }

  /// `range` narrowed to `distinguished`, then widened by one step of the narrowed range on each side it
  /// was cut (so the end codes land beyond the saturation point, not short of it) and to include 0.
  static func narrow(_ range: ClosedRange<Float>, to distinguished: ClosedRange<Float>) -> ClosedRange<Float>
  {
    var low = Swift.max(range.lowerBound, distinguished.lowerBound)
    var high = Swift.min(range.upperBound, distinguished.upperBound)
    guard low < high else { return range }
    let step = (Swift.max(high, 0) - Swift.min(low, 0)) / 254
    if low > range.lowerBound { low = Swift.max(range.lowerBound, low - step) }
    if high < range.upperBound { high = Swift.min(range.upperBound, high + step) }
    return Swift.min(low, 0)...Swift.max(high, 0)
  }

  /// The single value of a constant whose elements are all equal, or nil.
  private static func scalar(_ name: String, _ constant: (String) -> [Float]?) -> Float? {
    guard let values = constant(name), let first = values.first, values.allSatisfy({ $0 == first }) else {
      return nil
    }
    return first
  }

  /// The inputs an activation's bounds come from after adding `offset` (nil without a finite bound).
  private static func shifted(_ activation: OutputActivation, by offset: Float) -> ClosedRange<Float>? {
    let (low, high) = activation.bounds
    guard low.isFinite || high.isFinite else { return nil }
    return (low + offset)...(high + offset)
  }
}
