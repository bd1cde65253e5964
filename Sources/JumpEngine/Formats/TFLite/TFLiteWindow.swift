/// Maps the explicit padding of a device-graph convolution or pool onto TFLite's SAME / VALID.
///
/// TFLite derives padding from the enum and the sizes: VALID pads nothing; SAME makes
/// `out = ceil(in / stride)` and pads `total / 2` before, the rest after. Explicit pads that equal one of
/// these for both axes need nothing more. Along an axis with a single output the stride never moves the
/// window, so any stride that yields one output is as good, which lets PyTorch's symmetric padding and
/// `ceil_mode` pools fit more often. Anything else is left to the caller (a PAD before a convolution).
struct TFLiteWindow: Equatable {
  /// The padding enum.
  var padding: TFLitePadding
  /// `[strideH, strideW]` to write.
  var strides: [Int]

  /// The window that reproduces the explicit geometry, or nil when neither SAME nor VALID does.
  ///
  /// - Parameters:
  ///   - input: `[H, W]` of the input.
  ///   - output: `[H, W]` of the output.
  ///   - kernel: `[kh, kw]`; `dilations` `[dh, dw]`; `strides` `[sh, sw]`.
  ///   - pads: `[top, left, bottom, right]`.
  static func matching(
    input: [Int], output: [Int], kernel: [Int], strides: [Int], dilations: [Int], pads: [Int]
  ) -> TFLiteWindow? {
    for padding in [TFLitePadding.valid, .same] {
      var chosen: [Int] = []
      for axis in 0..<2 {
        let extent = (kernel[axis] - 1) * dilations[axis] + 1
        var candidates = [strides[axis]]
        if output[axis] == 1, input[axis] > strides[axis] { candidates.append(input[axis]) }
        guard
          let stride = candidates.first(where: { s in
            fits(
              padding, input: input[axis], output: output[axis], extent: extent, stride: s,
              before: pads[axis])
          })
        else { break }
        chosen.append(stride)
      }
      if chosen.count == 2 { return TFLiteWindow(padding: padding, strides: chosen) }
    }
    return nil
  }

  /// True when TFLite's `padding` gives `output` cells and pads `before` cells first along one axis.
  static func fits(
    _ padding: TFLitePadding, input: Int, output: Int, extent: Int, stride: Int, before: Int
  ) -> Bool {
    switch padding {
    case .valid:
      return before == 0 && input >= extent && (input - extent) / stride + 1 == output
    case .same:
      guard output == (input + stride - 1) / stride else { return false }
      return before == max((output - 1) * stride + extent - input, 0) / 2
    }
  }
}
