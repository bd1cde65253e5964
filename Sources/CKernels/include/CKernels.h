#ifndef JUMPSTATION_CKERNELS_H
#define JUMPSTATION_CKERNELS_H

#include <stdint.h>

/// Vector kernels compiled for a wider instruction set than the package's baseline (x86-64 with SSE2)
/// and chosen at run time by what the processor supports, so the binary stays portable.

/// The widest kernel set this processor runs: 16 (AVX-512F) or 0 (none: use the Swift kernels). Always 0
/// off x86-64.
int jsk_vector_width(void);

/// The geometry of a square depthwise convolution (dilation 1, the same stride on both axes).
typedef struct {
  long batch;
  long in_channels, out_channels;  // out_channels = in_channels * multiplier
  long in_height, in_width, out_height, out_width;
  long kernel;  // the kernel's height and width
  long stride, pad_top, pad_left;
} jsk_depthwise_geometry;

/// The activations the vector kernels fuse: the identity, `x > 0 ? x : 0`,
/// `x < low ? low : (x > high ? high : x)` and `x * clamp(x * (1 / 6) + 0.5, 0, 1)`, rounded as Swift's
/// `Activation.apply` (NaN included).
typedef enum { jsk_identity = 0, jsk_relu = 1, jsk_clip = 2, jsk_hardswish = 3 } jsk_activation;

/// The number of 16-bit load masks `jsk_depthwise_prepare` writes.
long jsk_depthwise_mask_count(const jsk_depthwise_geometry *g);

/// Writes the load masks of `g` and returns 1 when `jsk_depthwise` runs it: a 3 x 3 or 5 x 5 kernel,
/// stride 1 or 2 and "same"-style padding, where every input an output reads lies in a row of
/// `out_width` floats (after the stride-2 split). Returns 0 otherwise (the masks are then meaningless).
int jsk_depthwise_prepare(const jsk_depthwise_geometry *g, uint16_t *masks);

/// The scratch floats one worker of `jsk_depthwise` needs.
long jsk_depthwise_scratch(const jsk_depthwise_geometry *g);

/// Output channels `[first, last)`, for every sample, of a square depthwise convolution: plus bias (may be
/// NULL), then `activation` (`low` and `high` bound the clip). Only on AVX-512F processors and geometries
/// `jsk_depthwise_prepare` accepted, with its masks; `scratch` holds `jsk_depthwise_scratch` floats.
/// Every output is computed the same way whatever the split into ranges.
void jsk_depthwise(
    const jsk_depthwise_geometry *g, const uint16_t *masks, const float *input, const float *weight,
    const float *bias, float *output, long first, long last, jsk_activation activation, float low, float high,
    float *scratch);

/// `columns[c][n * plane + p] = x[n][c][p]`: a batch of `channels x plane` samples side by side, so that
/// one GEMM multiplies every sample (AVX-512F only).
void jsk_batch_to_columns(const float *x, float *columns, long batch, long channels, long plane);

/// `y[n][c][p] = activation(columns[c][n * plane + p] + bias[c])` (bias may be NULL, adding nothing):
/// the inverse of `jsk_batch_to_columns` with a convolution's bias and activation, rounded as Swift's
/// `Activation.apply(_:_:_:adding:)` (AVX-512F only).
void jsk_columns_to_batch(
    const float *columns, float *y, long batch, long channels, long plane, const float *bias,
    jsk_activation activation, float low, float high);

/// A 1 x 1 convolution's product with 16-float column vectors read and written in place (see
/// `jsk_pointwise`): `vectors` per sample (a plane of `16 * vectors` floats); the input vector `v` of
/// sample `n` and channel `k` at `x + n * x_sample + k * x_row + 16 * v`, the output of channel `m` at
/// `y + n * y_sample + m * y_row + 16 * v`.
typedef struct {
  long rows;     // output channels
  long depth;    // input channels (the inner product's length)
  long vectors;  // column vectors per sample
  long x_sample, x_row;
  long y_sample, y_row;
  long bias_per_column;  // 0: `bias[m]` for output row m; 1: `bias[16 * v + lane]` for column vector v
} jsk_pointwise_geometry;

/// Column vectors `[first, last)` (counted over the batch: sample `j / vectors`, vector `j % vectors`) of
/// `y = activation(weight * x + bias)`, `weight` row-major `rows x depth`, bias may be NULL (adding
/// nothing), one per row or (`bias_per_column`) one per column of a sample's plane. Every output is
/// computed the same way whatever the split into ranges (AVX-512F only).
void jsk_pointwise(
    const jsk_pointwise_geometry *g, const float *x, const float *weight, const float *bias, float *y,
    long first, long last, jsk_activation activation, float low, float high);

/// The sizes of one sample's im2col matrix for `jsk_im2col` (one group's `channels`).
typedef struct {
  long channels;
  long in_height, in_width, out_height, out_width;
  long kernel_height, kernel_width;
  long stride_height, stride_width;
  long pad_top, pad_left;
  long dilation_height, dilation_width;
} jsk_im2col_geometry;

/// 1 when `jsk_im2col` runs `g`: a column stride of 1 or 2.
int jsk_im2col_supported(const jsk_im2col_geometry *g);

/// Writes the im2col matrix of one sample, `(channels * kh * kw) x (out_height * out_width)`, with rows
/// `row_stride` floats apart; inputs in the padding are zero (AVX-512F only, geometries
/// `jsk_im2col_supported` accepts).
void jsk_im2col(const jsk_im2col_geometry *g, const float *input, float *columns, long row_stride);

/// 1 when this processor runs `jsk_int8_dot_gemm` (AVX-512F and AVX-512 VNNI), else 0 (always 0 off
/// x86-64).
int jsk_int8_dot_supported(void);

/// Writes the im2col matrix of one sample (`channels x in_height x in_width` int8 codes at `x`, geometry
/// as for `jsk_im2col`) as unsigned bytes `x + 128` (padding: `zero_point + 128`) in the layout
/// `jsk_int8_dot_gemm` reads: row `k` (channel, tap) and column `n` at byte
/// `((k / 4) * ldb + n) * 4 + k % 4`, columns from `column` on. Rows up to the next multiple of 4 are
/// zero. `scratch` holds `jsk_int8_dot_columns_scratch(g)` bytes. Baseline x86-64 (SSE2) or plain C:
/// runs on any processor.
void jsk_int8_dot_columns(
    const int8_t *x, const jsk_im2col_geometry *g, int8_t zero_point, uint8_t *packed, long ldb,
    long column, uint8_t *scratch);

/// The scratch bytes of `jsk_int8_dot_columns`: four rows of the output plane.
long jsk_int8_dot_columns_scratch(const jsk_im2col_geometry *g);

/// `c[m][n] = start[m] + sum over k of a[m][k] * b(k, n)` in wrapping int32 arithmetic, exactly: `a` is
/// `m_count` rows of `depth4 * 4` int8 weights (zero past the depth), `b` the packed columns of
/// `jsk_int8_dot_columns` (`n_count` of them, row stride `ldb`), `c` has row stride `ldc`; `start` may
/// be NULL (zero). Only where `jsk_int8_dot_supported` returns 1.
void jsk_int8_dot_gemm(
    long m_count, long n_count, long depth4, const int8_t *a, const uint8_t *b, long ldb, int32_t *c, long ldc,
    const int32_t *start);

/// TFLite's int8 requantization of `count` int32 accumulators: `(acc[i] + bias)` times the quantized
/// multiplier (`multiplier`, `shift`) with gemmlowp's double rounding, or with single rounding when
/// `single_rounding` is 1, plus `zero_point`, clamped to `[low, high]`. Equal to the Swift scalar
/// `FixedPoint.multiplyByQuantizedMultiplier` for every input, `multiplier` never `INT32_MIN`, `shift` in
/// -31...30. AVX-512F only (`jsk_vector_width` 16).
void jsk_requantize_int8(
    const int32_t *acc, long count, int32_t bias, int32_t multiplier, int shift, int32_t zero_point,
    int32_t low, int32_t high, int single_rounding, int8_t *output);

#endif
