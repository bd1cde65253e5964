/// The sizes of a 2-D sliding-window operation (convolution or pooling) over an `N x C x H x W` input.
///
/// A 1-D window is described as a 2-D one with `H = 1` and a 1 x k kernel.
struct ConvGeometry: Equatable, Sendable {
  /// Batch size.
  var batch: Int
  /// Input channels.
  var inChannels: Int
  /// Input height and width.
  var inHeight: Int, inWidth: Int
  /// Output channels.
  var outChannels: Int
  /// Output height and width.
  var outHeight: Int, outWidth: Int
  /// Kernel height and width.
  var kernelHeight: Int, kernelWidth: Int
  /// Strides.
  var strideHeight: Int, strideWidth: Int
  /// Padding at the top and left (the bottom and right padding only shows in the output size).
  var padTop: Int, padLeft: Int
  /// Padding at the bottom and right.
  var padBottom: Int, padRight: Int
  /// Dilations.
  var dilationHeight: Int, dilationWidth: Int
  /// Convolution groups (1 for pooling).
  var group: Int

  /// Input elements per sample and per channel plane.
  var inPlane: Int { inHeight * inWidth }
  /// Output elements per channel plane.
  var outPlane: Int { outHeight * outWidth }
  /// Input channels per group.
  var inPerGroup: Int { inChannels / group }
  /// Output channels per group.
  var outPerGroup: Int { outChannels / group }
  /// Rows of the im2col matrix for one group: `C/group * kh * kw`.
  var columnRows: Int { inPerGroup * kernelHeight * kernelWidth }

  /// True when the convolution reads its input directly as the GEMM operand (1 x 1, stride 1, no padding).
  var isPointwise: Bool {
    kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1 && padTop == 0
      && padLeft == 0 && padBottom == 0 && padRight == 0
  }

  /// Creates a geometry from an `N x C x spatial` input shape with one or two spatial axes.
  ///
  /// Returns nil for other ranks.
  init?(
    input: [Int], outChannels: Int, output: [Int], kernel: [Int], strides: [Int], pads: [Int],
    dilations: [Int], group: Int
  ) {
    let spatial = input.count - 2
    guard spatial == 1 || spatial == 2, output.count == input.count, kernel.count == spatial,
      strides.count == spatial, dilations.count == spatial, pads.count == 2 * spatial
    else { return nil }
    batch = input[0]
    inChannels = input[1]
    self.outChannels = outChannels
    self.group = group
    if spatial == 2 {
      (inHeight, inWidth, outHeight, outWidth) = (input[2], input[3], output[2], output[3])
      (kernelHeight, kernelWidth, strideHeight, strideWidth) = (kernel[0], kernel[1], strides[0], strides[1])
      (padTop, padLeft, padBottom, padRight) = (pads[0], pads[1], pads[2], pads[3])
      (dilationHeight, dilationWidth) = (dilations[0], dilations[1])
    } else {
      (inHeight, inWidth, outHeight, outWidth) = (1, input[2], 1, output[2])
      (kernelHeight, kernelWidth, strideHeight, strideWidth) = (1, kernel[0], 1, strides[0])
      (padTop, padLeft, padBottom, padRight) = (0, pads[0], 0, pads[1])
      (dilationHeight, dilationWidth) = (1, dilations[0])
    }
  }

  /// The output columns `ox` whose input column `ox * stride - padLeft + offset` lies inside `0..<inWidth`.
  @inline(__always)
  func validColumns(offset: Int) -> Range<Int> {
    let shift = padLeft - offset  // ix = ox * stride - shift
    let low = shift <= 0 ? 0 : (shift + strideWidth - 1) / strideWidth
    let lastInput = inWidth - 1 + shift
    let high = lastInput < 0 ? 0 : min(outWidth, lastInput / strideWidth + 1)
    return low..<max(low, high)
  }
}
